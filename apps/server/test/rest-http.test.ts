import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asActivity, asResponse, asSession, expectError, expectNoStack, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/** HTTP-level behaviour of the REST adapter: bodies, content types, routing, error hygiene. */
const MAX_BODY_BYTES = 4096;

let server: TestServer;
let api: Api;
let alice: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  api = new Api(server);
  alice = api.admin("alice");
});
afterAll(async () => server?.stop());

const postSession = (raw: string, contentType = "application/json") =>
  api.request("POST", "/api/v1/sessions", { token: alice, raw, headers: { "content-type": contentType } });

describe("request bodies", () => {
  it("accepts a body just under MAX_BODY_BYTES", async () => {
    const body = JSON.stringify({ title: "big", description: "d".repeat(MAX_BODY_BYTES - 100) });
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
    const res = await postSession(body);
    expect(res.status).toBe(201);
    expect(asSession(res.body).description).toHaveLength(MAX_BODY_BYTES - 100);
  });

  it("413 PAYLOAD_TOO_LARGE for a body over MAX_BODY_BYTES (Content-Length)", async () => {
    const res = await postSession(JSON.stringify({ title: "big", description: "d".repeat(MAX_BODY_BYTES) }));
    expect(expectError(res, 413, "PAYLOAD_TOO_LARGE").details).toEqual({ max_bytes: MAX_BODY_BYTES });
  });

  it("413 PAYLOAD_TOO_LARGE for a chunked body that grows over MAX_BODY_BYTES", async () => {
    // Just over the limit, so the client has finished sending when the server answers and closes.
    const chunk = new TextEncoder().encode(" ".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < MAX_BODY_BYTES / 1024 + 1) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body,
      duplex: "half",
    };
    const res = await fetch(`${server.url}/api/v1/sessions`, init);
    const text = await res.text();
    expectError({ status: res.status, headers: res.headers, text, body: JSON.parse(text) }, 413, "PAYLOAD_TOO_LARGE");
  });

  it.each([
    ["truncated JSON", '{"title": "x"'],
    ["single quotes", "{'title': 'x'}"],
    ["trailing garbage", '{"title": "x"} x'],
  ])("400 VALIDATION_ERROR for malformed JSON: %s", async (_, raw) => {
    expectValidationError(await postSession(raw), "body");
  });

  it.each([
    ["an array", "[]"],
    ["a string", '"title"'],
    ["null", "null"],
  ])("400 VALIDATION_ERROR for a JSON body that is %s, not an object", async (_, raw) => {
    expectValidationError(await postSession(raw), "body");
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"])(
    "415 UNSUPPORTED_MEDIA_TYPE for Content-Type %s",
    async (type) => {
      expectError(await postSession('{"title":"x"}', type), 415, "UNSUPPORTED_MEDIA_TYPE");
    },
  );

  it("415 when a JSON body carries no Content-Type at all", async () => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
      body: new TextEncoder().encode('{"title":"x"}'),
    });
    const text = await res.text();
    expectError({ status: res.status, headers: res.headers, text, body: JSON.parse(text) }, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts application/json with a charset and JSON subtypes", async () => {
    expect((await postSession('{"title":"x"}', "application/json; charset=utf-8")).status).toBe(201);
    expect((await postSession('{"title":"x"}', "application/vnd.caja+json")).status).toBe(201);
  });

  it("path parameters win over the same names in the body", async () => {
    const mine = await api.session(alice);
    const theirs = await api.session(api.admin("mallory"));
    const res = await api.request("POST", `/api/v1/sessions/${mine.id}/activities`, {
      token: alice,
      json: { session_id: theirs.id, type: "custom", title: "t" },
    });
    expect(res.status).toBe(201);
    expect(asActivity(res.body).session_id).toBe(mine.id);
  });

  it("400 rather than 500 for text PostgreSQL cannot store (U+0000)", async () => {
    expectValidationError(await api.request("POST", "/api/v1/sessions", { token: alice, json: { title: "a\u0000b" } }), "title");
    const session = await api.activeSession(alice);
    const create = (json: unknown) => api.request("POST", `/api/v1/sessions/${session.id}/activities`, { token: alice, json });
    expectValidationError(await create({ type: "poll", title: "t", config: { q: "a\u0000" } }), "config");
    const join = await api.request("POST", "/api/v1/sessions/join", {
      json: { join_code: session.join_code, nickname: "\u0000" },
    });
    // Control characters are stripped from nicknames (see rest-participants): NUL alone leaves nothing.
    expectValidationError(join, "nickname");
    const live = await api.live();
    const submit = await api.request("POST", `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`, {
      token: live.participantToken,
      json: { response_data: ["ok", { "\u0000": 1 }] },
    });
    expectValidationError(submit, "response_data");
    expect(
      asResponse(await api.submit(live.participantToken, live.session.id, live.activity.id, "\\u0000 as text")).response_data,
    ).toBe("\\u0000 as text");
  });
});

describe("routing", () => {
  it.each([
    ["GET", "/api/v1/nothing-here"],
    ["GET", "/api/v2/sessions"],
    ["POST", "/api/v1/sessions/1/unknown"],
    ["GET", "/api"],
    // Other GETs without a file extension are the web app's routes (web-app.test.ts).
    ["POST", "/not-api-either"],
    ["GET", "/not-api-either.json"],
  ])("404 NOT_FOUND in the error format for %s %s", async (method, path) => {
    expectError(await api.request(method, path, { token: alice }), 404, "NOT_FOUND");
  });

  it.each([
    ["DELETE", "/api/v1/sessions", ["GET", "POST"]],
    ["PATCH", "/api/v1/sessions/1", ["DELETE", "GET", "PUT"]],
    // GET here is the seed backend's path for the session poll.
    ["PUT", "/api/v1/sessions/1/status", ["GET", "PATCH"]],
    ["POST", "/api/sessions/1/status", ["GET"]],
  ])("405 METHOD_NOT_ALLOWED for %s %s, with an Allow header", async (method, path, allowed) => {
    const res = await api.request(method, path, { token: alice, json: method === "GET" || method === "DELETE" ? undefined : {} });
    const error = expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(
      (res.headers.get("allow") ?? "")
        .split(",")
        .map((m) => m.trim())
        .sort(),
    ).toEqual(allowed);
    const listed: unknown[] = Array.isArray(error.details.allowed) ? error.details.allowed : [];
    expect([...listed].sort()).toEqual(allowed);
  });

  it("answers JSON that no cache may keep", async () => {
    const res = await api.request("GET", "/api/v1/sessions", { token: alice });
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("when the database is gone", () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startTestServer();
    await broken.db.close();
  });
  afterAll(async () => broken?.stop());

  it("a route answers 503 SERVICE_UNAVAILABLE with Retry-After in the error format: no stack, no SQL, no driver message", async () => {
    const res = await new Api(broken).request("GET", "/api/v1/sessions", { token: broken.adminToken() });
    const error = expectError(res, 503, "SERVICE_UNAVAILABLE");
    expect(res.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(error.details).toEqual({});
    expect(res.text).not.toMatch(/select|sessions"|CONNECTION|ECONN|postgres/i);
    expectNoStack(res.text);
  });

  it("/ready says 503 while /health stays 200", async () => {
    const ready = await fetch(`${broken.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    const text = await ready.text();
    expectError({ status: 503, headers: ready.headers, text, body: JSON.parse(text) }, 503, "SERVICE_UNAVAILABLE");
    expect((await fetch(`${broken.url}/health`)).status).toBe(200);
  });
});
