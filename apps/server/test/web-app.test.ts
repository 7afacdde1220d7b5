import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { rawRequest } from "./raw-http";

/** The built web app served at `/`: files, the client-side routes' fallback, and what it must never serve. */
let server: TestServer;
let dir: string;
const indexHtml = `<!doctype html><html><head><script type="module" src="/assets/index-a1b2c3.js"></script></head><body><div id="root"></div></body></html>`;
const script = `console.log(${JSON.stringify("x".repeat(4000))});`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "caja-web-"));
  mkdirSync(join(dir, "dist/assets"), { recursive: true });
  writeFileSync(join(dir, "dist/index.html"), indexHtml);
  writeFileSync(join(dir, "dist/assets/index-a1b2c3.js"), script);
  writeFileSync(join(dir, "dist/favicon.svg"), "<svg/>");
  writeFileSync(join(dir, "secret.txt"), "outside the web root");
  server = await startTestServer({ CAJA_WEB_DIR: join(dir, "dist") });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => rawRequest(server.url, "GET", path, headers);

describe("GET / and the app's own routes", () => {
  it("serves index.html at /, revalidated on every load, with a CSP that allows only this origin", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.text).toBe(indexHtml);
  });

  it("answers client-side routes (/join/CODE, /present/1) with index.html", async () => {
    for (const path of ["/join/K7QX2M", "/present/12", "/join?code=K7QX2M"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toBe(indexHtml);
    }
  });

  it("answers a revalidation with 304 when index.html did not change", async () => {
    const first = await get("/");
    const again = await get("/", { "if-none-match": String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });
});

describe("GET /assets/*", () => {
  it("serves hashed assets with their content type, cached for a year", async () => {
    const res = await get("/assets/index-a1b2c3.js");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.text).toBe(script);
  });

  it("gzips text assets for clients that accept it", async () => {
    const res = await get("/assets/index-a1b2c3.js", { "accept-encoding": "gzip, br" });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(res.body).toString("utf8")).toBe(script);
  });

  it("serves other files revalidated, with their type", async () => {
    const res = await get("/favicon.svg");
    expect(res.headers["content-type"]).toBe("image/svg+xml");
    expect(res.headers["cache-control"]).toBe("no-cache");
  });

  it("404s a missing asset in the error format, never index.html in its place", async () => {
    const res = await get("/assets/index-missing.js");
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe("what the web handler must not serve", () => {
  it("nothing outside the web root, however the path is spelled", async () => {
    for (const path of [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
    ]) {
      const res = await get(path);
      expect(res.text, path).not.toContain("outside the web root");
      expect([200, 404], path).toContain(res.status);
    }
  });

  it("a malformed or NUL-carrying path is a 404, not a crash", async () => {
    for (const path of ["/%E0%A4%A", "/index.html%00.js"]) expect((await get(path)).status, path).toBe(404);
  });

  it("API paths stay JSON: an unknown /api route is a JSON 404, not the app", async () => {
    const res = await get("/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("application/json");
  });

  it("other methods than GET and HEAD get the JSON 404", async () => {
    const res = await rawRequest(server.url, "POST", "/join/K7QX2M");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("application/json");
  });
});

describe("without a built app", () => {
  it("says how to build it instead of failing", async () => {
    const bare = await startTestServer({ CAJA_WEB_DIR: join(dir, "not-built") });
    try {
      const res = await rawRequest(bare.url, "GET", "/");
      expect(res.status).toBe(503);
      expect(res.text).toContain("pnpm build");
      expect((await rawRequest(bare.url, "GET", "/health")).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});
