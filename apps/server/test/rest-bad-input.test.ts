import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asResponse, asSession, expectError, expectNoStack, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";
import { rawRequest } from "./raw-http";

/**
 * Input that used to reach a 500 (each was one, found by a run of malformed requests):
 * now a 4xx in the error format, on PostgreSQL and on PGlite.
 */
let server: TestServer;
let api: Api;
let alice: string;

beforeAll(async () => {
  // Room for 100k levels of nesting in one body.
  server = await startTestServer({ MAX_BODY_BYTES: String(256 * 1024) });
  api = new Api(server);
  alice = api.admin("alice");
});
afterAll(async () => server?.stop());

/** One request written byte for byte on a socket: node's client would refuse to send these. */
function rawExchange(text: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may reset the connection once it has answered: the answer is what counts.
    socket.on("error", () => {});
    socket.on("close", () => {
      const answer = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = answer.split("\r\n\r\n", 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body: body ? JSON.parse(body) : undefined });
    });
  });
}

describe("percent-encoding", () => {
  it.each(["/trpc/session.get%E0%A4%A", "/trpc/session.get,session.status%E0?batch=1", "/trpc/session.get%?input=%7B%7D"])(
    "400 VALIDATION_ERROR (tRPC's error shape) for a broken procedure path %s, with or without a token",
    async (path) => {
      for (const token of [undefined, alice]) {
        const res = await api.request("GET", path, { token });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          error: { data: { code: "VALIDATION_ERROR", httpStatus: 400, details: { field: "path" } } },
        });
        expectNoStack(res.text);
      }
    },
  );

  it("the same for a mutation's path (POST)", async () => {
    const res = await api.request("POST", "/trpc/session.create%E0", { token: alice, json: { title: "x" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { data: { code: "VALIDATION_ERROR", details: { field: "path" } } } });
  });

  it("400 for broken percent-encoding in a REST path segment and in a query value", async () => {
    expectValidationError(await api.request("GET", "/api/v1/sessions/%E0%A4%A", { token: alice }), "session_id");
    expectValidationError(await api.request("GET", "/api/v1/sessions?limit=%E0%A4%A", { token: alice }), "limit");
  });
});

describe("/docs/<name>", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "%E0%A4%A", "nothing.js"])(
    "404 NOT_FOUND in the error format for /docs/%s (inherited object properties are no files)",
    async (name) => {
      const res = await rawRequest(server.url, "GET", `/docs/${name}`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: "NOT_FOUND", details: {} } });
    },
  );

  it("still serves its own files", async () => {
    expect((await rawRequest(server.url, "GET", "/docs/swagger-ui.css")).status).toBe(200);
  });
});

describe("unpaired UTF-16 surrogates (valid JSON; PostgreSQL's jsonb refuses them, text would store U+FFFD)", () => {
  it("400 naming the field for a title, a nickname, a config value or key, and response_data", async () => {
    expectValidationError(await api.request("POST", "/api/v1/sessions", { token: alice, json: { title: "a\ud800" } }), "title");
    expectValidationError(
      await api.request("POST", "/api/v1/sessions", { token: alice, json: { title: "t", description: "\udc00b" } }),
      "description",
    );
    const live = await api.live();
    const create = (config: unknown) =>
      api.request("POST", `/api/v1/sessions/${live.session.id}/activities`, {
        token: alice,
        json: { type: "custom", title: "t", config },
      });
    expectValidationError(await create({ q: "\ud800" }), "config");
    expectValidationError(await create({ "\udfff": 1 }), "config");
    expectValidationError(
      await api.request("POST", "/api/v1/sessions/join", { json: { join_code: live.session.join_code, nickname: "Ana\ud83d" } }),
      "nickname",
    );
    const submit = (response_data: unknown) =>
      api.request("POST", `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`, {
        token: live.participantToken,
        json: { response_data },
      });
    expectValidationError(await submit("\ud800"), "response_data");
    expectValidationError(await submit({ deep: [{ x: ["ok", "\ude00"] }] }), "response_data");
  });

  it("the same over tRPC (POST mutation)", async () => {
    const live = await api.live();
    const res = await api.request("POST", "/trpc/response.submit", {
      token: live.participantToken,
      json: { session_id: live.session.id, activity_id: live.activity.id, response_data: ["\ud800"] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { data: { code: "VALIDATION_ERROR", details: { field: "response_data" } } } });
  });

  it("a paired surrogate (an emoji) is stored as sent", async () => {
    expect(asSession(await api.ok("POST", "/api/v1/sessions", 201, { token: alice, json: { title: "ok 😀" } })).title).toBe(
      "ok 😀",
    );
    const live = await api.live();
    expect(
      asResponse(await api.submit(live.participantToken, live.session.id, live.activity.id, { e: "🎉" })).response_data,
    ).toEqual({
      e: "🎉",
    });
  });
});

describe("nesting", () => {
  const nested = (depth: number) => JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown;

  it("response_data and config nest at most 64 levels: 64 is stored, 65 is a 400", async () => {
    const live = await api.live();
    const path = `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`;
    const submit = (data: unknown) => api.request("POST", path, { token: live.participantToken, json: { response_data: data } });
    expect((await submit(nested(64))).status).toBe(201);
    const deeper = expectValidationError(await submit(nested(65)), "response_data");
    expect(deeper.details.reason).toMatch(/deeper than 64/);
    const create = (config: unknown) =>
      api.request("POST", `/api/v1/sessions/${live.session.id}/activities`, {
        token: alice,
        json: { type: "custom", title: "t", config },
      });
    expectValidationError(await create({ a: nested(64) }), "config");
  });

  it("100k levels of `[` in a body: a 400, not a stack overflow", async () => {
    const live = await api.live();
    const depth = 100_000;
    const raw = `{"response_data":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const res = await api.request("POST", `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`, {
      token: live.participantToken,
      raw,
      headers: { "content-type": "application/json" },
    });
    expectValidationError(res, "response_data");
    const unclosed = await api.request("POST", "/api/v1/sessions", {
      token: alice,
      raw: "[".repeat(depth),
      headers: { "content-type": "application/json" },
    });
    expectValidationError(unclosed, "body");
  });
});

describe("feed timestamps and cursors out of range", () => {
  const cursorOf = (raw: string) => Buffer.from(raw, "utf8").toString("base64url");
  const NIL = "00000000-0000-0000-0000-000000000000";

  it.each(["99999-01-01", "999999999999999", "0000-01-01", "0000-01-01T00:00:00+23:59", "-1", "1e400"])(
    "400 naming timestamp for since/%s",
    async (since) => {
      const live = await api.live();
      await api.submit(live.participantToken, live.session.id, live.activity.id, "x");
      const res = await api.request(
        "GET",
        `/api/sessions/${live.session.id}/activities/${live.activity.id}/responses/since/${since}`,
        { token: alice },
      );
      expectValidationError(res, "timestamp");
    },
  );

  it.each([
    ["a sinceMs past Date's range", `1:0:${NIL}:9999999999999999`],
    ["a negative sinceMs past Date's range", `1:0:${NIL}:-9999999999999999`],
    ["a sinceMs before year 1", `1:0:${NIL}:-62135596800001`],
    ["a position past xid8", `1:99999999999999999999:${NIL}:0`],
  ])("400 naming cursor for %s", async (_, raw) => {
    const live = await api.live();
    await api.submit(live.participantToken, live.session.id, live.activity.id, "x");
    const res = await api.request(
      "GET",
      `/api/sessions/${live.session.id}/activities/${live.activity.id}/responses/since/0?cursor=${cursorOf(raw)}`,
      { token: alice },
    );
    expectValidationError(res, "cursor");
  });

  it("the range's ends are answered", async () => {
    const live = await api.live();
    for (const since of ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]) {
      const path = `/api/sessions/${live.session.id}/activities/${live.activity.id}/responses/since/${since}`;
      expect((await api.request("GET", path, { token: alice })).status).toBe(200);
    }
  });
});

describe("ids out of range", () => {
  it.each(["2147483648", "99999999999999999999", "-1", "0", "1.5", "1e3x"])("400 naming session_id for %s", async (id) => {
    expectValidationError(await api.request("GET", `/api/v1/sessions/${id}`, { token: alice }), "session_id");
  });
});

describe("requests node's parser refuses", () => {
  it("400 in the error format for a malformed Content-Length", async () => {
    const res = await rawExchange("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { field: "request" } } });
  });

  it("431 HEADERS_TOO_LARGE in the error format for headers over the limit", async () => {
    const res = await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.body).toMatchObject({ error: { code: "HEADERS_TOO_LARGE" } });
  });
});

describe("found by the fuzz test (fuzz.test.ts)", () => {
  it("HEAD with headers over the limit: 431 with no body (a body would be read as the next response)", async () => {
    const { hostname, port } = new URL(server.url);
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      const socket = connect(Number(port), hostname, () =>
        socket.write(`HEAD /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"p".repeat(40_000)}\r\n\r\n`),
      );
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      socket.on("error", () => {});
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/Content-Length: 0\r\n/);
    expect(answer.endsWith("\r\n\r\n")).toBe(true);
  });

  it("tRPC's own refusals (an unsupported content type) are sent as JSON, not text/plain", async () => {
    const res = await api.request("POST", "/trpc/session.create", {
      token: alice,
      raw: '{"title":"x"}',
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ error: { data: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
  });
});

describe("content types and bodies", () => {
  it("415 for a body that is not JSON, 400 for malformed JSON or a non-object", async () => {
    const post = (raw: string, type: string) =>
      api.request("POST", "/api/v1/sessions", { token: alice, raw, headers: { "content-type": type } });
    expectError(await post('{"title":"x"}', "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(await post("title=x", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectValidationError(await post('{"title":', "application/json"), "body");
    expectValidationError(await post("[]", "application/json"), "body");
    expectValidationError(await post('"x"', "application/json"), "body");
  });
});
