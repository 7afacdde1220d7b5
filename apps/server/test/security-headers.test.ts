import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { rawConnection, until } from "./raw-http";

/**
 * The headers every answer carries, whichever handler wrote it: `nosniff` (a JSON body or an
 * upload is never run as a script or page), no framing by other sites, no referrer sent
 * elsewhere; and the Content-Security-Policy of each HTML page.
 */
let server: TestServer;
let dir: string;
let admin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "caja-headers-"));
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(dir, "assets/app-1a2b.js"), "console.log(1)");
  server = await startTestServer({ CAJA_WEB_DIR: dir });
  admin = server.adminToken("alice");
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
const asAdmin = { authorization: () => `Bearer ${admin}` };
const json = { "content-type": "application/json" };

/** One request of each kind the router tells apart, with the status it must get. */
const requests: Array<[string, number, () => Promise<Response>]> = [
  ["GET /health", 200, () => get("/health")],
  ["GET /ready", 200, () => get("/ready")],
  ["GET /openapi.json", 200, () => get("/openapi.json")],
  ["GET /docs", 200, () => get("/docs")],
  ["GET /docs/init.js", 200, () => get("/docs/init.js")],
  ["GET /docs/swagger-ui.css", 200, () => get("/docs/swagger-ui.css")],
  ["GET /docs/nothing.js", 404, () => get("/docs/nothing.js")],
  ["GET /api/v1/activity-types", 200, () => get("/api/v1/activity-types")],
  ["GET /api/v1/sessions without a token", 401, () => get("/api/v1/sessions")],
  [
    "POST /api/v1/sessions",
    201,
    () =>
      fetch(`${server.url}/api/v1/sessions`, {
        method: "POST",
        headers: { ...json, authorization: asAdmin.authorization() },
        body: '{"title":"t"}',
      }),
  ],
  ["GET /api/v1/no-such-route", 404, () => get("/api/v1/no-such-route")],
  [
    "GET /trpc/session.list (the fast path)",
    200,
    () => get(`/trpc/session.list?input=${encodeURIComponent("{}")}`, { authorization: asAdmin.authorization() }),
  ],
  [
    "POST /trpc/session.create (tRPC's handler)",
    200,
    () =>
      fetch(`${server.url}/trpc/session.create`, {
        method: "POST",
        headers: { ...json, authorization: asAdmin.authorization() },
        body: '{"title":"t"}',
      }),
  ],
  [
    "OPTIONS /api/v1/sessions (CORS preflight)",
    204,
    () =>
      fetch(`${server.url}/api/v1/sessions`, {
        method: "OPTIONS",
        headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
      }),
  ],
  ["GET /sign-in (answered before CORS; POST only)", 405, () => get("/sign-in")],
  ["GET / (the web app)", 200, () => get("/")],
  ["GET /assets/app-1a2b.js", 200, () => get("/assets/app-1a2b.js")],
  ["GET /missing.png", 404, () => get("/missing.png")],
];

describe("every answer", () => {
  it.each(requests)("%s: nosniff, frame-ancestors 'none', a referrer policy", async (_, status, send) => {
    const res = await send();
    await res.arrayBuffer();
    expect(res.status).toBe(status);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/(^|;\s*)frame-ancestors 'none'(;|$)/);
    expect(res.headers.get("referrer-policy")).toMatch(/^(no-referrer|same-origin)$/);
  });

  it("the CSV export too", async () => {
    const created = await fetch(`${server.url}/api/v1/sessions`, {
      method: "POST",
      headers: { ...json, authorization: asAdmin.authorization() },
      body: '{"title":"csv"}',
    });
    const { id } = (await created.json()) as { id: number };
    const res = await get(`/api/v1/sessions/${id}/export`, { authorization: asAdmin.authorization() });
    expect(await res.text()).toContain("session_id");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("a request node's parser refuses (431), answered on the raw socket", async () => {
    const c = rawConnection(server.url);
    await c.connected;
    c.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`);
    await until(() => c.state.received.includes("}") || c.socket.destroyed);
    c.socket.destroy();
    expect(c.state.received).toMatch(/^HTTP\/1\.1 431 /);
    expect(c.state.received.toLowerCase()).toContain("x-content-type-options: nosniff\r\n");
  });
});

/** A CSP as `{ directive: sources }`. */
function policy(res: Response): Record<string, string[]> {
  const header = res.headers.get("content-security-policy") ?? "";
  return Object.fromEntries(
    header
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = "", ...sources]) => [name, sources]),
  );
}

describe("GET /docs", () => {
  it("a CSP under which only this server's scripts run: no inline script, no eval, nothing from elsewhere", async () => {
    const res = await get("/docs");
    const csp = policy(res);
    expect(csp["default-src"]).toEqual(["'none'"]);
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'none'"]);
    expect(csp["object-src"] ?? csp["default-src"]).toEqual(["'none'"]);
    // The page itself holds no script to allow: every <script> loads a file of this server.
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes = "", body = ""] of scripts)
      expect([attributes, body.trim()]).toEqual([expect.stringMatching(/\bsrc="\//), ""]);
    expect(html).not.toMatch(/\son\w+=|javascript:|<style/i);
  });

  it("Swagger UI is told not to fetch a validator badge from swagger.io", async () => {
    expect(await (await get("/docs/init.js")).text()).toMatch(/validatorUrl:\s*null/);
  });
});
