import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { rawConnection, until, type RawConnection } from "./raw-http";

/**
 * HTTP_MAX_CONNECTIONS and HTTP_MAX_CONNECTIONS_PER_ADDRESS (http/connections.ts), over real
 * sockets. Clients come from several loopback addresses (127.0.0.x): each is a peer of its own.
 * A connection is made busy with `Expect: 100-continue`: the server's `100 Continue` tells the
 * client its request has reached the handler, which then waits for the body.
 */
let capped: TestServer;
let perAddress: TestServer;
let behindProxy: TestServer;
const opened: RawConnection[] = [];

beforeAll(async () => {
  [capped, perAddress, behindProxy] = await Promise.all([
    startTestServer({ HTTP_MAX_CONNECTIONS: "20", HTTP_MAX_CONNECTIONS_PER_ADDRESS: "0" }),
    startTestServer({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: "5" }),
    startTestServer({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: "5", TRUST_PROXY: "127.0.0.2" }),
  ]);
});
afterEach(() => {
  for (const c of opened.splice(0)) c.socket.destroy();
});
afterAll(async () => {
  await Promise.all([capped?.stop(), perAddress?.stop(), behindProxy?.stop()]);
});

const health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

async function open(server: TestServer, from?: string): Promise<RawConnection> {
  const c = rawConnection(server.url, from);
  opened.push(c);
  await Promise.race([c.connected, c.closed]);
  return c;
}

/** A keep-alive connection that has been answered once and now waits for its next request. */
async function idle(server: TestServer, from?: string): Promise<RawConnection> {
  const c = await open(server, from);
  c.socket.write(health);
  await until(() => c.state.received.includes("\r\n0\r\n\r\n"));
  return c;
}

/** A connection whose request has reached its handler, which waits for a body not yet sent. */
async function busy(server: TestServer, from?: string): Promise<RawConnection> {
  const c = await open(server, from);
  c.socket.write(
    "POST /api/v1/sessions/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n",
  );
  await until(() => c.state.received.startsWith("HTTP/1.1 100 Continue") || c.socket.destroyed);
  return c;
}

/** Sends GET /health on a fresh connection: what came back before the connection closed or answered. */
async function served(server: TestServer, from?: string): Promise<string> {
  const c = await open(server, from);
  c.socket.write(health);
  await until(() => c.state.received.includes("\r\n0\r\n\r\n") || c.socket.destroyed);
  return c.state.received;
}

const isOpen = (c: RawConnection) => !c.socket.destroyed && !c.socket.readableEnded;

describe("HTTP_MAX_CONNECTIONS", () => {
  it("at the cap a new connection closes the longest-idle one and is served", async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 20; i++) held.push(await idle(capped));
    expect(await served(capped)).toMatch(/^HTTP\/1\.1 200 /);
    const [oldest, next] = held as [RawConnection, RawConnection];
    await oldest.closed;
    expect(oldest.state.received).not.toContain("HTTP/1.1 4");
    // The others are kept and still answer.
    expect(held.slice(1).every(isOpen)).toBe(true);
    const before = next.state.received.length;
    next.socket.write(health);
    await until(() => next.state.received.slice(before).includes("\r\n0\r\n\r\n"));
    expect(next.state.received.slice(before)).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("when every connection is busy a new one is closed at once; the busy ones are answered; a freed slot is reused", async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 20; i++) held.push(await busy(capped));
    expect(held.every(isOpen)).toBe(true);
    expect(await served(capped)).toBe("");
    const first = held[0] as RawConnection;
    first.socket.write("{}");
    await until(() => /\r\n\r\n\{"error"/.test(first.state.received));
    expect(first.state.received).toMatch(/HTTP\/1\.1 400 /);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The server sees those closes a moment later.
    let answer = "";
    const end = Date.now() + 10_000;
    while (!answer.startsWith("HTTP/1.1 200") && Date.now() < end) answer = await served(capped);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("HTTP_MAX_CONNECTIONS_PER_ADDRESS", () => {
  it("past the cap an address's new connection is closed at once when all of its own are busy; other addresses are served", async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 5; i++) held.push(await busy(perAddress, "127.0.0.2"));
    expect(held.every(isOpen)).toBe(true);
    expect(await served(perAddress, "127.0.0.2")).toBe("");
    expect(await served(perAddress, "127.0.0.3")).toMatch(/^HTTP\/1\.1 200 /);
    expect(held.every(isOpen)).toBe(true);
  });

  it("at the cap an address's longest-idle connection makes room for its new one; other addresses' connections are kept", async () => {
    const other = await idle(perAddress, "127.0.0.5");
    const held: RawConnection[] = [];
    for (let i = 0; i < 5; i++) held.push(await idle(perAddress, "127.0.0.4"));
    expect(await served(perAddress, "127.0.0.4")).toMatch(/^HTTP\/1\.1 200 /);
    await (held[0] as RawConnection).closed;
    expect(held.slice(1).every(isOpen)).toBe(true);
    expect(isOpen(other)).toBe(true);
  });

  it("does not apply to a trusted proxy (TRUST_PROXY), whose one address carries many clients", async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 8; i++) held.push(await busy(behindProxy, "127.0.0.2"));
    expect(held.every(isOpen)).toBe(true);
    expect(await served(behindProxy, "127.0.0.2")).toMatch(/^HTTP\/1\.1 200 /);
    // Any other peer is still capped.
    for (let i = 0; i < 5; i++) held.push(await busy(behindProxy, "127.0.0.6"));
    expect(await served(behindProxy, "127.0.0.6")).toBe("");
  });
});
