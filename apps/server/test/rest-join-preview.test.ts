import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, expectError, expectValidationError } from "./fixtures";
import { startTestServer } from "./harness";

let server: Awaited<ReturnType<typeof startTestServer>>;
let api: Api;
let alice: string;

// Behind a trusted proxy, so each test can be its own address (X-Forwarded-For) and
// only the limit test spends a budget to its end.
beforeAll(async () => {
  server = await startTestServer({ TRUST_PROXY: "1", RATE_LIMIT_JOIN_PREVIEW: "3/60s" });
  api = new Api(server);
  alice = api.admin("alice");
});
afterAll(async () => server?.stop());

let address = 0;
const get = (path: string, from = `198.51.100.${++address}`) =>
  api.request("GET", path, { headers: { "x-forwarded-for": from } });
const nicknamePath = (code: string, nickname: string) => `/api/v1/join/${code}/nickname?nickname=${encodeURIComponent(nickname)}`;

describe("GET /api/v1/join/{join_code}", () => {
  it("200 with title, status and accepts_joins only, no token needed, never stored by shared caches", async () => {
    const session = await api.session(alice, { title: "Town hall" });
    const res = await get(`/api/v1/join/${session.join_code.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ title: "Town hall", status: "draft", accepts_joins: true });
    expect(res.headers.get("cache-control")).not.toMatch(/public/);
  });

  it("accepts_joins is false once joins are locked, and status follows the session", async () => {
    const session = await api.activeSession(alice, { title: "Locked" });
    await api.ok("PUT", `/api/v1/sessions/${session.id}`, 200, { token: alice, json: { joins_locked: true } });
    const res = await get(`/api/v1/join/${session.join_code}`);
    expect(res.body).toStrictEqual({ title: "Locked", status: "active", accepts_joins: false });
  });

  it("404 NOT_FOUND in the error format for an unknown code, 400 for an invalid one", async () => {
    const unknown = expectError(await get("/api/v1/join/NOPE99"), 404, "NOT_FOUND");
    expect(unknown.details).toEqual({ field: "join_code", reason: "unknown" });
    expectValidationError(await get(`/api/v1/join/${"X".repeat(13)}`), "join_code");
  });
});

describe("GET /api/v1/join/{join_code}/nickname?nickname=", () => {
  it("finds a taken nickname ignoring case and invisible characters; a kicked participant's is free again", async () => {
    const session = await api.session(alice);
    const ana = await api.join(session.join_code, "Ana");
    for (const taken of ["Ana", "ana", "A\u200bna", " ANA "]) {
      const res = await get(nicknamePath(session.join_code, taken));
      expect({ taken, status: res.status, body: res.body }).toStrictEqual({
        taken,
        status: 200,
        body: { nickname: taken.trim().replace("\u200b", ""), available: false },
      });
    }
    expect((await get(nicknamePath(session.join_code, "Bea"))).body).toStrictEqual({ nickname: "Bea", available: true });

    const kicked = await api.request("DELETE", `/api/v1/sessions/${session.id}/participants/${ana.participant.id}`, {
      token: alice,
    });
    expect(kicked.status).toBe(204);
    expect((await get(nicknamePath(session.join_code, "ana"))).body).toStrictEqual({ nickname: "ana", available: true });
  });

  it("400 VALIDATION_ERROR naming nickname when it is missing, empty after normalisation or too long; 404 for an unknown code", async () => {
    const session = await api.session(alice);
    expectValidationError(await get(`/api/v1/join/${session.join_code}/nickname`), "nickname");
    expectValidationError(await get(nicknamePath(session.join_code, "\u200b \u200b")), "nickname");
    expectValidationError(await get(nicknamePath(session.join_code, "n".repeat(51))), "nickname");
    expectError(await get(nicknamePath("NOPE99", "Ana")), 404, "NOT_FOUND");
  });
});

describe("per-address limit (RATE_LIMIT_JOIN_PREVIEW)", () => {
  it("429 with Retry-After once an address spends its budget on previews and checks together; others and joins unaffected", async () => {
    const session = await api.session(alice);
    const from = "203.0.113.50";
    const statuses = [];
    for (const path of [
      `/api/v1/join/${session.join_code}`,
      nicknamePath(session.join_code, "Cy"),
      "/api/v1/join/NOPE99",
      `/api/v1/join/${session.join_code}`,
      nicknamePath(session.join_code, "Cy"),
    ]) {
      statuses.push((await get(path, from)).status);
    }
    expect(statuses).toEqual([200, 200, 404, 429, 429]);
    const limited = expectError(await get(`/api/v1/join/${session.join_code}`, from), 429, "RATE_LIMITED");
    expect(limited.details.retry_after).toBeGreaterThanOrEqual(1);
    expect((await get(`/api/v1/join/${session.join_code}`, "203.0.113.51")).status).toBe(200);
    const joined = await api.request("POST", "/api/v1/sessions/join", {
      json: { join_code: session.join_code, nickname: "Cy" },
      headers: { "x-forwarded-for": from },
    });
    expect(joined.status).toBe(201);
  });
});
