import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenService } from "@caja/api";
import { createDb, migrationsFolder, queryRows, sql } from "@caja/db";
import { createFreshPostgres } from "@caja/testing";
import { ConfigError, loadConfig } from "../src/config";
import { databaseLocation, jwtSecret } from "../src/defaults";
import { Api, asSession } from "./fixtures";
import { TEST_SECRET, startTestServer } from "./harness";

function rejection(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("accepts an empty environment with the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: "0.0.0.0",
      CAJA_DATA_DIR: ".caja",
      DB_POOL_SIZE: 10,
      PARTICIPANT_TOKEN_TTL: 12 * 3600,
      SIGN_IN_LINK_TTL: 10 * 60,
      POLL_INTERVAL_MS: 2000,
      POLL_KEPT_ANSWER_BYTES: 32 * 1024 * 1024,
      // The numbers README's configuration table documents, not the code's own constants.
      RATE_LIMIT_POLL: { limit: 600, windowMs: 60_000 },
      RATE_LIMIT_READ: { limit: 300, windowMs: 60_000 },
      RATE_LIMIT_WRITE: { limit: 120, windowMs: 60_000 },
      RATE_LIMIT_JOIN: { limit: 300, windowMs: 60_000 },
      RATE_LIMIT_JOIN_PREVIEW: { limit: 1200, windowMs: 60_000 },
      RATE_LIMIT_SESSION_JOIN: { limit: 300, windowMs: 60_000 },
      RATE_LIMIT_INVALID_TOKEN: { limit: 60, windowMs: 60_000 },
      MAX_BODY_BYTES: 64 * 1024,
      MAX_RESPONSES_PER_PARTICIPANT: 100,
      TRPC_BATCH_MAX_BYTES: 16 * 1024 * 1024,
      CORS_ORIGINS: "*",
      ALLOW_CUSTOM_ACTIVITY_TYPES: true,
      TRUST_PROXY: { hops: 0 },
      REDIS_KEY_PREFIX: "caja:",
      LOG_LEVEL: "info",
      OTEL_SERVICE_NAME: "caja",
    });
    // Unset: PGlite under CAJA_DATA_DIR, a generated secret, no public key, the in-memory cache.
    for (const unset of [
      "DATABASE_URL",
      "JWT_SECRET",
      "JWT_PUBLIC_KEY",
      "UPSTASH_REDIS_REST_URL",
      "UPSTASH_REDIS_REST_TOKEN",
      "REDIS_URL",
      // No /metrics, no tracing.
      "METRICS_TOKEN",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] as const) {
      expect(config[unset], unset).toBeUndefined();
    }
  });

  it("runs CAJA_WORKERS processes (auto: one per core) on PostgreSQL with Redis", () => {
    const shared = { DATABASE_URL: "postgres://u@db/caja", REDIS_URL: "redis://localhost:6379" };
    expect(loadConfig({}).CAJA_WORKERS).toBe(1);
    expect(loadConfig({ ...shared, CAJA_WORKERS: "3" }).CAJA_WORKERS).toBe(3);
    expect(loadConfig({ ...shared, CAJA_WORKERS: "auto" }).CAJA_WORKERS).toBe(availableParallelism());
  });

  it("parses the values it is given", () => {
    const config = loadConfig({
      PORT: "8080",
      DATABASE_URL: "postgresql://u@db:5432/caja",
      JWT_SECRET: "s".repeat(32),
      PARTICIPANT_TOKEN_TTL: "90m",
      RATE_LIMIT_WRITE: "10/1s",
      UPSTASH_REDIS_REST_URL: "https://example.upstash.io",
      UPSTASH_REDIS_REST_TOKEN: "tok",
      TRUST_PROXY: "1",
      ALLOW_CUSTOM_ACTIVITY_TYPES: "false",
    });
    expect(config).toMatchObject({
      PORT: 8080,
      DATABASE_URL: "postgresql://u@db:5432/caja",
      PARTICIPANT_TOKEN_TTL: 5400,
      RATE_LIMIT_WRITE: { limit: 10, windowMs: 1000 },
      TRUST_PROXY: { hops: 1 },
      ALLOW_CUSTOM_ACTIVITY_TYPES: false,
    });
    expect(loadConfig({ TRUST_PROXY: "true" }).TRUST_PROXY).toEqual({ hops: 1 });
    expect(loadConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toEqual({ hops: 0 });
    expect(loadConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toEqual({ hops: 2 });
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, ::1" }).TRUST_PROXY).toMatchObject({ list: "10.0.0.0/8,::1" });
    expect(loadConfig({ DATABASE_URL: "memory://" }).DATABASE_URL).toBe("memory://");
    expect(loadConfig({ DATABASE_URL: "", JWT_SECRET: "  " })).toMatchObject({ DATABASE_URL: undefined, JWT_SECRET: undefined });
  });

  it.each([
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "70000" }],
    ["JWT_SECRET", { JWT_SECRET: "too-short-secret" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://root@localhost/caja" }],
    ["UPSTASH_REDIS_REST_TOKEN", { UPSTASH_REDIS_REST_URL: "https://example.upstash.io" }],
    ["UPSTASH_REDIS_REST_URL", { UPSTASH_REDIS_REST_TOKEN: "tok" }],
    ["UPSTASH_REDIS_REST_URL", { UPSTASH_REDIS_REST_URL: "redis://localhost:6379", UPSTASH_REDIS_REST_TOKEN: "tok" }],
    ["REDIS_URL", { REDIS_URL: "https://localhost:6379" }],
    [
      "REDIS_URL",
      {
        REDIS_URL: "redis://localhost:6379",
        UPSTASH_REDIS_REST_URL: "https://example.upstash.io",
        UPSTASH_REDIS_REST_TOKEN: "t",
      },
    ],
    ["CAJA_WORKERS", { CAJA_WORKERS: "none" }],
    ["CAJA_WORKERS", { CAJA_WORKERS: "0" }],
    // PGlite (the default database) is one process's file; without Redis each worker keeps its own limits.
    ["CAJA_WORKERS", { CAJA_WORKERS: "2", REDIS_URL: "redis://localhost:6379" }],
    ["CAJA_WORKERS", { CAJA_WORKERS: "2", DATABASE_URL: "memory://", REDIS_URL: "redis://localhost:6379" }],
    ["CAJA_WORKERS", { CAJA_WORKERS: "2", DATABASE_URL: "postgres://u@db/caja" }],
    ["REDIS_KEY_PREFIX", { REDIS_KEY_PREFIX: "has spaces" }],
    ["RATE_LIMIT_WRITE", { RATE_LIMIT_WRITE: "bogus" }],
    ["RATE_LIMIT_POLL", { RATE_LIMIT_POLL: "0/1s" }],
    ["PARTICIPANT_TOKEN_TTL", { PARTICIPANT_TOKEN_TTL: "xyz" }],
    ["PARTICIPANT_TOKEN_TTL", { PARTICIPANT_TOKEN_TTL: "0" }],
    ["SIGN_IN_LINK_TTL", { SIGN_IN_LINK_TTL: "forever" }],
    ["JWT_PUBLIC_KEY", { JWT_PUBLIC_KEY: "not a pem" }],
    ["MAX_BODY_BYTES", { MAX_BODY_BYTES: "10" }],
    ["MAX_RESPONSE_DATA_BYTES", { MAX_RESPONSE_DATA_BYTES: "big" }],
    ["MAX_CONFIG_BYTES", { MAX_CONFIG_BYTES: "0" }],
    ["MAX_RESPONSES_PER_PARTICIPANT", { MAX_RESPONSES_PER_PARTICIPANT: "0" }],
    ["TRPC_BATCH_MAX_BYTES", { TRPC_BATCH_MAX_BYTES: "lots" }],
    ["TRUST_PROXY", { TRUST_PROXY: "yes" }],
    ["TRUST_PROXY", { TRUST_PROXY: "10.0.0.0/33" }],
    ["TRUST_PROXY", { TRUST_PROXY: "10.0.0.1,proxy.internal" }],
    ["RATE_LIMIT_SESSION_JOIN", { RATE_LIMIT_SESSION_JOIN: "many" }],
    ["RATE_LIMIT_INVALID_TOKEN", { RATE_LIMIT_INVALID_TOKEN: "1/0s" }],
    ["ALLOW_CUSTOM_ACTIVITY_TYPES", { ALLOW_CUSTOM_ACTIVITY_TYPES: "no" }],
  ])("rejects a bad %s, naming it", (variable, env) => {
    expect(rejection(env)).toMatch(new RegExp(`^\\s+${variable}: `, "m"));
  });

  it("refuses JWT_PUBLIC_KEY without JWT_ISSUER and JWT_AUDIENCE, naming each missing one", () => {
    const pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";
    const both = rejection({ JWT_PUBLIC_KEY: pem });
    expect(both).toMatch(/^\s+JWT_ISSUER: required with JWT_PUBLIC_KEY/m);
    expect(both).toMatch(/^\s+JWT_AUDIENCE: required with JWT_PUBLIC_KEY/m);
    const audience = rejection({ JWT_PUBLIC_KEY: pem, JWT_ISSUER: "https://id.example" });
    expect(audience).toMatch(/^\s+JWT_AUDIENCE: /m);
    expect(audience).not.toMatch(/JWT_ISSUER: /);
    expect(loadConfig({ JWT_PUBLIC_KEY: pem, JWT_ISSUER: "https://id.example", JWT_AUDIENCE: "caja" }).JWT_AUDIENCE).toBe("caja");
  });

  it("refuses a LOG_LEVEL pino does not know, a short METRICS_TOKEN and an OTLP endpoint that is no http(s) URL", () => {
    const message = rejection({
      LOG_LEVEL: "verbose",
      METRICS_TOKEN: "short-secret",
      OTEL_EXPORTER_OTLP_ENDPOINT: "localhost:4318",
    });
    for (const variable of ["LOG_LEVEL", "METRICS_TOKEN", "OTEL_EXPORTER_OTLP_ENDPOINT"])
      expect(message).toContain(`${variable}:`);
    expect(message).not.toContain("short-secret");
    expect(
      loadConfig({ LOG_LEVEL: "warn", METRICS_TOKEN: "0123456789abcdef", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }),
    ).toMatchObject({
      LOG_LEVEL: "warn",
      METRICS_TOKEN: "0123456789abcdef",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
    });
  });

  it("lists every bad variable at once and never echoes a secret", () => {
    const message = rejection({ PORT: "abc", JWT_SECRET: "hunter2-is-my-password", PARTICIPANT_TOKEN_TTL: "xyz" });
    for (const variable of ["PORT", "JWT_SECRET", "PARTICIPANT_TOKEN_TTL"]) expect(message).toContain(`${variable}:`);
    expect(message).not.toContain("hunter2");
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

/** `pnpm caja ...` with exactly the given environment (plus PATH). */
function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [cli, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the caja CLI", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "caja-cli-"));
  const runs: Record<string, CliRun> = {};
  let migrated: { first: CliRun; second: CliRun; tables: string[]; applied: number };
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    const withSecret = { JWT_SECRET: TEST_SECRET, CAJA_DATA_DIR: dataDir };
    const fresh = await createFreshPostgres("caja_cli");
    const migrateTwice = async () => {
      try {
        const env = { DATABASE_URL: fresh.url, CAJA_DATA_DIR: dataDir };
        const first = await runCli(["migrate"], env);
        const second = await runCli(["migrate"], env);
        const db = createDb(fresh.url, { maxConnections: 1 });
        try {
          const rows = await queryRows<{ name: string }>(
            db.db,
            sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
          );
          const [applied] = await queryRows<{ n: number | string }>(
            db.db,
            sql`select count(*) as n from drizzle.__drizzle_migrations`,
          );
          return { first, second, tables: rows.map((r) => r.name), applied: Number(applied?.n) };
        } finally {
          await db.close();
        }
      } finally {
        await fresh.drop();
      }
    };
    // Each run compiles the CLI anew (about a second of CPU): few of them, all at once.
    const [admin, badConfig, migration] = await Promise.all([
      runCli(["token", "--role", "admin", "--sub", "alice", "--ttl", "1h"], withSecret),
      runCli(["token", "--sub", "alice"], { PORT: "abc", JWT_SECRET: TEST_SECRET }),
      migrateTwice(),
    ]);
    Object.assign(runs, { admin, badConfig });
    migrated = migration;
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("`caja token --role admin --sub alice --ttl 1h` prints a JWT the server accepts", async () => {
    const run = runs.admin;
    expect(run?.code).toBe(0);
    const token = run?.stdout.trim() ?? "";
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(new TokenService({ secret: TEST_SECRET }).verify(token)).toEqual({ sub: "alice", role: "admin" });
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number };
    expect(payload.exp * 1000).toBeGreaterThan(startedAt + 3600_000 - 5_000);
    expect(payload.exp * 1000).toBeLessThan(Date.now() + 3600_000 + 5_000);

    const server = await startTestServer();
    try {
      const session = asSession(
        await new Api(server).ok("POST", "/api/v1/sessions", 201, { token, json: { title: "From the CLI" } }),
      );
      expect(session.created_by).toBe("alice");
    } finally {
      await server.stop();
    }
  });

  it("exits 1 on bad configuration, naming the variable", () => {
    expect(runs.badConfig).toMatchObject({ code: 1, stdout: "" });
    expect(runs.badConfig?.stderr).toMatch(/PORT: /);
  });

  it("`caja migrate` creates the schema on a fresh PostgreSQL database, and is idempotent", () => {
    expect(migrated.first).toMatchObject({ code: 0 });
    expect(migrated.first.stdout).toContain("migrations applied (postgres)");
    expect(migrated.second).toMatchObject({ code: 0 });
    expect(migrated.tables).toEqual(
      expect.arrayContaining(["activities", "activity_response_counters", "participants", "sessions", "user_responses"]),
    );
    // Each migration recorded once: the second run applied nothing.
    const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
    expect(migrated.applied).toBe(journal.entries.length);
  });
});

describe("the defaults the server and the CLI share (src/defaults.ts)", () => {
  it("put the embedded database under CAJA_DATA_DIR unless DATABASE_URL is set", () => {
    expect(databaseLocation(loadConfig({ CAJA_DATA_DIR: "/srv/caja" }))).toBe("/srv/caja/pgdata");
    expect(databaseLocation(loadConfig({ DATABASE_URL: "postgres://db/caja" }))).toBe("postgres://db/caja");
  });

  it("without JWT_SECRET, the CLI's secret is the one the server generated: its tokens are accepted", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "caja-defaults-"));
    const server = await startTestServer({ JWT_SECRET: "", CAJA_DATA_DIR: dataDir });
    try {
      expect(server.generatedSecret).toBe(true);
      const cli = jwtSecret(loadConfig({ CAJA_DATA_DIR: dataDir }));
      expect(cli.generated).toBe(true);
      const token = new TokenService({ secret: cli.secret }).sign({ sub: "carol", role: "admin" }, 60).token;
      const session = asSession(await new Api(server).ok("POST", "/api/v1/sessions", 201, { token, json: { title: "Shared" } }));
      expect(session.created_by).toBe("carol");
      expect(jwtSecret(loadConfig({ JWT_SECRET: TEST_SECRET, CAJA_DATA_DIR: dataDir }))).toEqual({
        secret: TEST_SECRET,
        generated: false,
      });
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
