import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackAddress } from "../src/http/local-sign-in";
import { startTestServer, type TestServer } from "./harness";
import { rawRequest } from "./raw-http";

/** The one-click presenter sign-in: only on the embedded default, only for a same-machine, same-origin caller. */
let embedded: TestServer;
let host: string;

beforeAll(async () => {
  // No JWT_SECRET: the server generates and keeps its own, as `pnpm start` does out of the box.
  embedded = await startTestServer({ JWT_SECRET: "" });
  host = new URL(embedded.url).host;
});
afterAll(async () => embedded?.stop());

const signIn = (server: TestServer, headers: Record<string, string> = {}) =>
  rawRequest(server.url, "POST", "/local-sign-in", { host: new URL(server.url).host, ...headers });

describe("POST /local-sign-in on the embedded default", () => {
  it("GET says it is available to a loopback caller", async () => {
    const res = await rawRequest(embedded.url, "GET", "/local-sign-in", { host });
    expect(JSON.parse(res.text)).toEqual({ available: true });
  });

  it("hands a same-origin page an admin token that the API accepts", async () => {
    const res = await signIn(embedded, { origin: `http://${host}`, "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const { token } = JSON.parse(res.text) as { token: string };
    const sessions = await fetch(`${embedded.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(sessions.status).toBe(200);
  });

  it("refuses a page of another origin, and sends it no CORS header to read the refusal with", async () => {
    const res = await signIn(embedded, { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await signIn(embedded, { origin: "null" })).status).toBe(403);
    expect((await signIn(embedded, { "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("refuses a DNS-rebinding page: loopback socket, foreign Host", async () => {
    const port = new URL(embedded.url).port;
    expect((await signIn(embedded, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await signIn(embedded, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).status).toBe(403);
  });

  it("refuses relayed requests (a reverse proxy on the same machine)", async () => {
    expect((await signIn(embedded, { "x-forwarded-for": "203.0.113.7" })).status).toBe(403);
    expect((await signIn(embedded, { forwarded: "for=203.0.113.7" })).status).toBe(403);
  });
});

describe("POST /local-sign-in elsewhere", () => {
  it("is off when the server has its own JWT_SECRET", async () => {
    const configured = await startTestServer();
    try {
      const available = await rawRequest(configured.url, "GET", "/local-sign-in", { host: new URL(configured.url).host });
      expect(JSON.parse(available.text)).toEqual({ available: false });
      expect((await signIn(configured)).status).toBe(404);
    } finally {
      await configured.stop();
    }
  });

  it("is off behind a proxy (TRUST_PROXY)", async () => {
    const proxied = await startTestServer({ JWT_SECRET: "", TRUST_PROXY: "true" });
    try {
      expect((await signIn(proxied)).status).toBe(404);
    } finally {
      await proxied.stop();
    }
  });
});

describe("isLoopbackAddress", () => {
  it("accepts 127.0.0.0/8 and ::1, also IPv4-mapped", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
      expect(isLoopbackAddress(address), address).toBe(true);
  });
  it("refuses everything else", () => {
    for (const address of ["10.0.0.1", "192.168.1.20", "::ffff:10.0.0.1", "fe80::1", "0.0.0.0", "::", "", undefined])
      expect(isLoopbackAddress(address), String(address)).toBe(false);
  });
});
