import { randomBytes } from "node:crypto";
import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSignInCode } from "../src/sign-in-codes";
import { expectError, type HttpResult } from "./fixtures";
import { startTestServer, startTwoInstances, type TestServer } from "./harness";
import { rawRequest } from "./raw-http";
import { startReverseProxy, type ReverseProxy } from "./reverse-proxy";

/**
 * The one-time sign-in link: `POST /sign-in` exchanges its code for an admin token. The code is
 * the only credential; where a request seems to come from never is.
 */
const JWT = /ey[\w-]+\.ey[\w-]+\.[\w-]+/;

let server: TestServer;
let proxy: ReverseProxy;

beforeAll(async () => {
  // No JWT_SECRET: the generated one, as `pnpm start` has out of the box.
  server = await startTestServer({ JWT_SECRET: "" });
  proxy = await startReverseProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

async function exchange(baseUrl: string, body: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(`${baseUrl}/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const redeem = (baseUrl: string, code: string) => exchange(baseUrl, JSON.stringify({ code }));
const newCode = (on: TestServer = server, ttlSeconds = 600) => issueSignInCode(on.db.db, ttlSeconds);

/** A well-formed code that was never issued. */
const strangerCode = () => randomBytes(32).toString("base64url");

describe("a remote caller behind a reverse proxy on the server's machine", () => {
  it("gets no admin token from any sign-in route without a code, however local the request looks", async () => {
    const host = new URL(proxy.url).host;
    for (const [method, path, headers] of [
      ["POST", "/local-sign-in", {}],
      ["GET", "/local-sign-in", {}],
      ["POST", "/local-sign-in", { origin: `http://${host}`, "sec-fetch-site": "same-origin" }],
      ["POST", "/sign-in", { "content-type": "application/json" }],
    ] as const) {
      const res = await rawRequest(proxy.url, method, path, { host, ...headers });
      expect(res.text, `${method} ${path}`).not.toMatch(JWT);
      // A GET of an unknown path is the web app's page (index.html), as for any other.
      if (method === "POST") expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      else expect(res.headers["content-type"], `${method} ${path}`).toMatch(/^text\/html/);
    }
    expectError(await exchange(proxy.url, JSON.stringify({ code: strangerCode() })), 401, "UNAUTHORIZED");
  });

  it("signs in the operator who opened the link, relayed or not: the code is what counts", async () => {
    const { code } = await newCode();
    const res = await redeem(proxy.url, code);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.stringMatching(JWT), expires_at: expect.any(String) });
  });
});

describe("POST /sign-in", () => {
  it("exchanges a code for an admin token the API accepts, once", async () => {
    const { code } = await newCode();
    const first = await redeem(server.url, code);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const { token, expires_at } = first.body as { token: string; expires_at: string };
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(11 * 3600_000);
    const sessions = await fetch(`${server.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(sessions.status).toBe(200);

    const again = expectError(await redeem(server.url, code), 401, "UNAUTHORIZED");
    expect(again.message).toMatch(/used already|expired/);
  });

  it("lets exactly one of several simultaneous requests use a code", async () => {
    const { code } = await newCode();
    const answers = await Promise.all(Array.from({ length: 8 }, () => redeem(server.url, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
  });

  it("refuses an expired code, and deletes it", async () => {
    const { code, expiresAt } = await newCode(server, 1);
    // By the database's clock, the one the code's expiry is written in.
    const past = sql`select now() > ${expiresAt.toISOString()}::timestamptz as past`;
    await expect.poll(async () => (await queryRows<{ past: boolean }>(server.db.db, past))[0]?.past).toBe(true);
    expectError(await redeem(server.url, code), 401, "UNAUTHORIZED");
    const left = await queryRows<{ n: number }>(
      server.db.db,
      sql`select count(*)::int as n from sign_in_codes where expires_at <= now()`,
    );
    expect(left[0]?.n).toBe(0);
  });

  it("refuses a code whose secret is wrong without using the real one up", async () => {
    const { code } = await newCode();
    const bytes = Buffer.from(code, "base64url");
    bytes[31] = (bytes[31] ?? 0) ^ 0xff;
    expectError(await redeem(server.url, bytes.toString("base64url")), 401, "UNAUTHORIZED");
    expect((await redeem(server.url, code)).status).toBe(200);
  });

  it("keeps only the code's selector and a hash of its secret", async () => {
    const { code } = await newCode();
    const text = JSON.stringify(await queryRows(server.db.db, sql`select * from sign_in_codes`));
    expect(text).toContain(Buffer.from(code, "base64url").subarray(0, 8).toString("hex"));
    expect(text).not.toContain(code);
    expect(text).not.toContain(Buffer.from(code, "base64url").subarray(8).toString("hex"));
  });

  it("answers a page of another origin without CORS headers, so it cannot read the token", async () => {
    const { code } = await newCode();
    const res = await exchange(server.url, JSON.stringify({ code }), { origin: "http://evil.example" });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${server.url}/sign-in`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each([
    ["a GET", "GET", undefined, {}, 405, "METHOD_NOT_ALLOWED"],
    ["a form post", "POST", "code=abc", { "content-type": "application/x-www-form-urlencoded" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["a text/plain post", "POST", '{"code":"abc"}', { "content-type": "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["broken JSON", "POST", "{", { "content-type": "application/json" }, 400, "VALIDATION_ERROR"],
    ["no code", "POST", "{}", { "content-type": "application/json" }, 400, "VALIDATION_ERROR"],
    ["a code that is a number", "POST", '{"code":5}', { "content-type": "application/json" }, 400, "VALIDATION_ERROR"],
    ["a JSON array", "POST", "[]", { "content-type": "application/json" }, 400, "VALIDATION_ERROR"],
    [
      "a 2 KB body",
      "POST",
      JSON.stringify({ code: "x".repeat(2048) }),
      { "content-type": "application/json" },
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    ["a malformed code", "POST", '{"code":"not a code"}', { "content-type": "application/json" }, 401, "UNAUTHORIZED"],
  ])("answers %s in the error format", async (_, method, body, headers, status, code) => {
    const res = await fetch(`${server.url}/sign-in`, { method, headers, body });
    const text = await res.text();
    expectError({ status: res.status, headers: res.headers, text, body: JSON.parse(text) as unknown }, status, code);
  });
});

describe("POST /sign-in, failed codes", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ JWT_SECRET: "", RATE_LIMIT_INVALID_TOKEN: "3/60s" });
  });
  afterAll(async () => limited?.stop());

  it("spend the caller's budget: then every code gets 429 with Retry-After, a good one too", async () => {
    for (let i = 0; i < 3; i++) expectError(await redeem(limited.url, strangerCode()), 401, "UNAUTHORIZED");
    const refused = await redeem(limited.url, strangerCode());
    expectError(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const { code } = await newCode(limited);
    expectError(await redeem(limited.url, code), 429, "RATE_LIMITED");
  });
});

describe("POST /sign-in on two instances sharing one database (as CAJA_WORKERS workers and machines do)", () => {
  it("accepts a code made by either instance on the other, exactly once across both", async () => {
    const pair = await startTwoInstances(undefined, { JWT_SECRET: "two-instances-secret-0123456789abcdefghij" });
    try {
      const made = await newCode(pair.a);
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => redeem((i % 2 ? pair.a : pair.b).url, made.code)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
      const other = await newCode(pair.b);
      expect((await redeem(pair.a.url, other.code)).status).toBe(200);
    } finally {
      await pair.stop();
    }
  });
});
