import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asResponse, expectError, responsesPath } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/** Issue 9: the Idempotency-Key header over HTTP, and how the document describes it. */
let server: TestServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

describe("POST /api/v1/sessions/{session_id}/activities/{activity_id}/responses with Idempotency-Key", () => {
  it("a retry answers 201 with the same response; another body with the key is 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const live = await api.live();
    const send = (response_data: unknown, key = "retry-1") =>
      api.request("POST", responsesPath(live.session.id, live.activity.id), {
        token: live.participantToken,
        json: { response_data },
        headers: { "Idempotency-Key": key },
      });
    const first = await send({ choice: "pizza" });
    expect(first.status).toBe(201);
    const retry = await send({ choice: "pizza" });
    expect(retry.status).toBe(201);
    expect(asResponse(retry.body)).toEqual(asResponse(first.body));
    expectError(await send({ choice: "salad" }), 422, "IDEMPOTENCY_KEY_REUSED");
    expectError(await send({ choice: "salad" }, "with space"), 400, "VALIDATION_ERROR");
    const list = await api.ok("GET", `${responsesPath(live.session.id, live.activity.id)}?limit=10&offset=0`, 200, {
      token: live.token,
    });
    expect(list).toMatchObject({ total: 1, items: [{ response_data: { choice: "pizza" } }] });
  });

  it("is documented as an optional header parameter of the submit operation", async () => {
    const doc = (await api.ok("GET", "/openapi.json", 200)) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>>;
    };
    const op = doc.paths["/api/v1/sessions/{session_id}/activities/{activity_id}/responses"]?.post;
    const header = op?.parameters?.find((p) => p.in === "header" && p.name === "Idempotency-Key");
    expect(header).toBeDefined();
    expect(header?.required ?? false).toBe(false);
  });
});
