import { randomUUID } from "node:crypto";
import { createFreshPostgres, testDbKind, type TestRedis } from "@caja/testing";
import { createCajaServer, loadConfig, stderrLogger, type CajaServer } from "../src/index";

export const TEST_SECRET = "server-test-secret-0123456789abcdefghijklmnop";

export interface TestServer extends CajaServer {
  adminToken(sub?: string): string;
  stop(): Promise<void>;
}

/**
 * A real server on a real socket (127.0.0.1, random port) on a fresh database.
 * `env` overrides any variable; pass DATABASE_URL to share one database between instances.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer & { databaseUrl?: string }> {
  const fresh = !env.DATABASE_URL && testDbKind() === "postgres" ? await createFreshPostgres() : null;
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    JWT_SECRET: TEST_SECRET,
    CAJA_DATA_DIR: `/tmp/caja-test-${process.pid}-${Date.now()}`,
    // Tests read right after rapid writes; coalescing write bursts is tested on its own.
    CACHE_MIN_REFRESH_MS: "0",
    CACHE_MAX_STALE_MS: "0",
    RATE_LIMIT_POLL: "100000/1s",
    RATE_LIMIT_READ: "100000/1s",
    RATE_LIMIT_WRITE: "100000/1s",
    RATE_LIMIT_JOIN: "100000/1s",
    RATE_LIMIT_JOIN_PREVIEW: "100000/1s",
    RATE_LIMIT_SESSION_JOIN: "100000/1s",
    RATE_LIMIT_INVALID_TOKEN: "100000/1s",
    // On the PGlite run each server gets its own in-memory database.
    DATABASE_URL: fresh ? fresh.url : "memory://",
    ...env,
  });
  const app = await createCajaServer(config, { logger: stderrLogger() });
  await app.listen();
  return Object.assign(app, {
    databaseUrl: config.DATABASE_URL,
    adminToken: (sub = "alice") => app.deps.tokens.sign({ sub, role: "admin" }, 3600).token,
    stop: async () => {
      await app.close();
      await fresh?.drop();
    },
  });
}

export interface TwoInstances {
  a: TestServer;
  b: TestServer;
  /** Stops both servers, then drops their database. The Redis stays the caller's to close. */
  stop: () => Promise<void>;
}

/**
 * Two servers on one fresh PostgreSQL database and, given `redis`, one Redis under a key prefix of
 * their own (the machine's Redis is shared with every other suite and run): the same deployment.
 * Without `redis` each instance keeps its limits and cache in memory. `extraEnv` is passed to both.
 */
export async function startTwoInstances(
  redis: TestRedis | undefined,
  extraEnv: Record<string, string> = {},
): Promise<TwoInstances> {
  const db = await createFreshPostgres();
  const env = {
    DATABASE_URL: db.url,
    ...(redis ? { ...redis.env, REDIS_KEY_PREFIX: `test-${randomUUID()}:` } : {}),
    ...extraEnv,
  };
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  const stop = async () => {
    await a?.stop();
    await b?.stop();
    await db.drop();
  };
  try {
    a = await startTestServer(env);
    b = await startTestServer(env);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { a, b, stop };
}
