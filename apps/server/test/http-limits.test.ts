import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@caja/db";
import { Api } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";
import { rawConnection, until, writeAll } from "./raw-http";

/**
 * The HTTP server's own limits (app.ts, HTTP_* and TRPC_MAX_BATCH), over real sockets.
 * Every wait is on a condition with a generous bound: the machine running the suite is loaded.
 */
const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 4000;

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer({
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_MAX_HEADER_BYTES: "4096",
    TRPC_MAX_BATCH: "5",
  });
  api = new Api(server);
});
afterAll(async () => server?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client on its own socket that writes `text` one byte a second until the server closes the connection. */
function slowClient(head: string, trickle: string) {
  const { hostname, port } = new URL(server.url);
  const state = { closed: false, openedAt: Date.now(), closedAt: 0, received: "", bytesSent: 0 };
  const socket: Socket = connect(Number(port), hostname, () => {
    socket.write(head);
    state.bytesSent += head.length;
  });
  socket.on("data", (chunk: Buffer) => (state.received += chunk.toString("utf8")));
  socket.on("error", () => {});
  socket.on("close", () => {
    state.closed = true;
    state.closedAt = Date.now();
  });
  let i = 0;
  const timer = setInterval(() => {
    if (state.closed || socket.destroyed) return;
    socket.write(trickle[i++ % trickle.length] as string);
    state.bytesSent++;
  }, 1000);
  return {
    state,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** Normal requests, one after another, until `until()` holds: how many were answered 200. */
async function serveMeanwhile(until: () => boolean): Promise<{ ok: number; failed: string[] }> {
  const result = { ok: 0, failed: [] as string[] };
  while (!until()) {
    const res = await api.request("GET", "/health");
    if (res.status === 200) result.ok++;
    else result.failed.push(`${res.status} ${res.text}`);
    await sleep(100);
  }
  return result;
}

describe("slow clients (slowloris)", () => {
  it("headers sent a byte a second: cut off after HTTP_HEADERS_TIMEOUT_MS with 408, while other clients are served", async () => {
    const slow = slowClient("GET /health HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    try {
      const served = await serveMeanwhile(() => slow.state.closed || Date.now() - slow.state.openedAt > 30_000);
      expect(slow.state.closed, "the slow client was never disconnected").toBe(true);
      const heldMs = slow.state.closedAt - slow.state.openedAt;
      // Not before its timeout; well before it could trickle forever (node checks every second).
      expect(heldMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(heldMs).toBeLessThan(HEADERS_TIMEOUT_MS + 15_000);
      expect(slow.state.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(slow.state.received).toContain('"code":"REQUEST_TIMEOUT"');
      expect(served.failed).toEqual([]);
      expect(served.ok).toBeGreaterThan(0);
    } finally {
      slow.stop();
    }
  });

  it("a body sent a byte a second: cut off after HTTP_REQUEST_TIMEOUT_MS, while other clients are served", async () => {
    const head =
      "POST /api/v1/sessions/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    const slow = slowClient(head, '{"join_code":"AAAAAA","nickname":"slow"}');
    try {
      const served = await serveMeanwhile(() => slow.state.closed || Date.now() - slow.state.openedAt > 40_000);
      expect(slow.state.closed, "the slow client was never disconnected").toBe(true);
      const heldMs = slow.state.closedAt - slow.state.openedAt;
      expect(heldMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(heldMs).toBeLessThan(REQUEST_TIMEOUT_MS + 15_000);
      expect(served.failed).toEqual([]);
      expect(served.ok).toBeGreaterThan(0);
    } finally {
      slow.stop();
    }
  });
});

describe("HTTP_MAX_HEADER_BYTES", () => {
  it("431 HEADERS_TOO_LARGE past the limit, served below it", async () => {
    expect((await api.request("GET", "/health", { headers: { "x-pad": "a".repeat(2000) } })).status).toBe(200);
    const { hostname, port } = new URL(server.url);
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      const socket = connect(Number(port), hostname, () =>
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(6000)}\r\n\r\n`),
      );
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      socket.on("error", () => {});
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"code":"HEADERS_TOO_LARGE"');
  });
});

const oversizedHeaders = `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(6000)}\r\n\r\n`;

describe("HTTP_MAX_HEADER_BYTES on a reused keep-alive connection", () => {
  it("431 HEADERS_TOO_LARGE after an earlier request was answered on the same connection", async () => {
    const c = rawConnection(server.url);
    await c.connected;
    c.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => c.state.received.includes("\r\n0\r\n\r\n"));
    expect(c.state.received).toMatch(/^HTTP\/1\.1 200 /);
    const first = c.state.received.length;
    c.socket.write(oversizedHeaders);
    await c.closed;
    const second = c.state.received.slice(first);
    expect(second).toMatch(/^HTTP\/1\.1 431 /);
    expect(second).toContain('"code":"HEADERS_TOO_LARGE"');
  });

  it("a response under way is cut, never interleaved with the error answer", async () => {
    const token = api.admin("exporter");
    const session = await api.activeSession(token);
    const activity = await api.activity(token, session.id, { type: "custom", config: {} });
    const person = await api.join(session.join_code, "Many");
    // Megabytes of CSV, produced a page of 1000 rows at a time: still being written when the bad request arrives.
    await server.db.db.execute(sql`
      insert into user_responses (session_id, activity_id, participant_id, response_data, single_answer)
      select ${session.id}, ${activity.id}, ${person.participant.id}, to_jsonb(repeat('answer ', 20) || g), false
      from generate_series(1, 40000) g`);
    const c = rawConnection(server.url);
    await c.connected;
    c.socket.write(`GET /api/v1/sessions/${session.id}/export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    await until(() => c.state.received.includes("\r\n\r\n"));
    c.socket.write(oversizedHeaders);
    await c.closed;
    expect(c.state.received).toMatch(/^HTTP\/1\.1 200 /);
    const end = c.state.received.indexOf("\r\n0\r\n\r\n");
    const error = c.state.received.indexOf("HTTP/1.1 431");
    // Either the export was cut (no end, no 431) or it ended before the 431 began.
    if (error !== -1) expect(end).toBeGreaterThan(-1);
    if (error !== -1) expect(error).toBeGreaterThan(end);
  });
});

describe("an error answer reaches a client still sending (MAX_BODY_BYTES, HTTP_MAX_HEADER_BYTES)", () => {
  /** As a simple client does: the whole request is written before anything is read; then the answer. */
  async function sendAllThenRead(head: string, chunk: string, count: number) {
    const c = rawConnection(server.url);
    await c.connected;
    c.socket.pause();
    c.socket.write(head);
    await writeAll(c.socket, chunk, count);
    c.socket.end();
    c.socket.resume();
    await c.closed;
    return c.state;
  }
  const post = "POST /api/v1/sessions/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  const piece = "x".repeat(64 * 1024);

  it("a body declared over the limit (Content-Length: 10 MB), all of it sent", async () => {
    const answer = await sendAllThenRead(`${post}Content-Length: ${160 * piece.length}\r\n\r\n`, piece, 160);
    expect(answer.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.received).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it("431 for headers that go on past the limit, 10 MB of them sent", async () => {
    const answer = await sendAllThenRead("GET /health HTTP/1.1\r\nHost: x\r\n", `X-Pad: ${piece}\r\n`, 160);
    expect(answer.received).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.received).toContain('"code":"HEADERS_TOO_LARGE"');
  });

  it("a chunked body that grows over the limit, 10 MB of it sent", async () => {
    const frame = `${piece.length.toString(16)}\r\n${piece}\r\n`;
    const answer = await sendAllThenRead(`${post}Transfer-Encoding: chunked\r\n\r\n`, frame, 160);
    expect(answer.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.received).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });
});

describe("TRPC_MAX_BATCH", () => {
  const names = (n: number, name: string) => Array.from({ length: n }, () => name).join(",");
  const inputs = (n: number, input: unknown) =>
    encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, input]))));

  it("a GET batch (the fast path) over the cap: 400 naming batch, before any call runs", async () => {
    const token = api.admin("alice");
    const over = await api.request("GET", `/trpc/${names(6, "session.list")}?batch=1&input=${inputs(6, {})}`, { token });
    expect(over.status).toBe(400);
    expect(over.headers.get("content-type")).toMatch(/^application\/json/);
    expect(over.body).toMatchObject({
      error: { data: { code: "VALIDATION_ERROR", details: { field: "batch", max_calls: 5, calls: 6 } } },
    });
    const at = await api.request("GET", `/trpc/${names(5, "session.list")}?batch=1&input=${inputs(5, {})}`, { token });
    expect(at.status).toBe(200);
  });

  it("a POST batch of mutations over the cap: 400, nothing created", async () => {
    const token = api.admin("batcher");
    const body = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [i, { title: `b${i}` }]));
    const over = await api.request("POST", `/trpc/${names(6, "session.create")}?batch=1`, { token, json: body });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: { data: { code: "VALIDATION_ERROR", details: { field: "batch" } } } });
    const list = await api.request("GET", "/api/v1/sessions", { token });
    expect(list.body).toMatchObject({ total: 0 });
  });
});
