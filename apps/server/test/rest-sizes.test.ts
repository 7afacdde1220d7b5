import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, expectError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer({ MAX_RESPONSE_DATA_BYTES: "64", MAX_CONFIG_BYTES: "128" });
  api = new Api(server);
});
afterAll(async () => server?.stop());

/** A JSON string value whose serialised form is exactly `bytes` long. */
const stringOf = (bytes: number) => "x".repeat(bytes - 2);

describe("MAX_RESPONSE_DATA_BYTES", () => {
  it("413 PAYLOAD_TOO_LARGE naming response_data past the cap, far below the body limit; at the cap it is stored", async () => {
    const live = await api.live();
    const path = `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`;
    const over = await api.request("POST", path, { token: live.participantToken, json: { response_data: stringOf(65) } });
    const error = expectError(over, 413, "PAYLOAD_TOO_LARGE");
    expect(error.details).toMatchObject({ field: "response_data", limit_bytes: 64, bytes: 65 });
    // Bytes, not characters: 22 three-byte characters are 68 bytes.
    expectError(
      await api.request("POST", path, { token: live.participantToken, json: { response_data: "€".repeat(22) } }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(
      (await api.request("POST", path, { token: live.participantToken, json: { response_data: stringOf(64) } })).status,
    ).toBe(201);
  });
});

describe("MAX_CONFIG_BYTES", () => {
  it("413 naming config on create and on update past the cap; at the cap it is stored", async () => {
    const alice = api.admin("alice");
    const session = await api.session(alice);
    const create = (config: unknown) =>
      api.request("POST", `/api/v1/sessions/${session.id}/activities`, {
        token: alice,
        json: { type: "custom", title: "t", config },
      });
    // {"q":"..."} is 8 bytes around the string's content.
    const big = { q: "y".repeat(121) };
    const fits = { q: "y".repeat(120) };
    const error = expectError(await create(big), 413, "PAYLOAD_TOO_LARGE");
    expect(error.details).toMatchObject({ field: "config", limit_bytes: 128, bytes: 129 });
    const created = await create(fits);
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const update = await api.request("PUT", `/api/v1/sessions/${session.id}/activities/${id}`, {
      token: alice,
      json: { config: big },
    });
    expect(expectError(update, 413, "PAYLOAD_TOO_LARGE").details).toMatchObject({ field: "config" });
  });
});
