import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";

/** CORS_ORIGINS: which browser pages may call (bearer tokens, no cookies), and the preflight they send first. */
const preflight = (base: string, origin: string, path = "/api/v1/sessions", requestHeaders = "authorization, content-type") =>
  fetch(base + path, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": requestHeaders },
  });

const withOrigin = (base: string, origin: string, path = "/api/v1/activity-types") => fetch(base + path, { headers: { origin } });

const listed = (header: string | null) => (header ?? "").split(",").map((h) => h.trim().toLowerCase());

describe("CORS_ORIGINS as an allow-list", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: "https://app.example, https://other.example" });
  });
  afterAll(async () => server?.stop());

  it("answers a listed origin's preflight 204 with that origin, the methods and the headers the clients send", async () => {
    const res = await preflight(
      server.url,
      "https://other.example",
      "/api/v1/sessions",
      "authorization, content-type, idempotency-key",
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://other.example");
    expect(listed(res.headers.get("access-control-allow-methods"))).toEqual(
      expect.arrayContaining(["get", "post", "put", "patch", "delete"]),
    );
    // The SDK's headers: the token, JSON bodies, ETag revalidation, tRPC's own, and safe retries of submissions.
    expect(listed(res.headers.get("access-control-allow-headers"))).toEqual(
      expect.arrayContaining(["authorization", "content-type", "if-none-match", "idempotency-key"]),
    );
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(listed(res.headers.get("vary"))).toContain("origin");
  });

  it("lets a listed origin read answers, with ETag and Retry-After exposed", async () => {
    const res = await withOrigin(server.url, "https://app.example");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(listed(res.headers.get("access-control-expose-headers"))).toEqual(expect.arrayContaining(["etag", "retry-after"]));
    // The answer differs per origin: a shared cache must not hand one origin's copy to another.
    expect(listed(res.headers.get("vary"))).toContain("origin");
  });

  it("gives an unlisted origin no CORS header at all, on the preflight and on the request", async () => {
    const pre = await preflight(server.url, "https://evil.example");
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-methods")).toBeNull();
    expect(pre.status).not.toBe(204);
    const res = await withOrigin(server.url, "https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    // A near miss is not a match: origins compare exactly.
    const near = await withOrigin(server.url, "https://app.example.evil.example");
    expect(near.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS_ORIGINS=* (the default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it("answers any origin's preflight, and its requests with Access-Control-Allow-Origin: *", async () => {
    const pre = await preflight(server.url, "https://anywhere.example");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    const res = await withOrigin(server.url, "https://anywhere.example");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("adds nothing to a request without Origin (not a browser's cross-origin call)", async () => {
    const res = await fetch(`${server.url}/api/v1/activity-types`);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
