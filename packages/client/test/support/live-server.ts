import { createFreshPostgres } from "@caja/testing";
import { createCajaServer, loadConfig, stderrLogger } from "@caja/server";

/** Admin subjects a test can ask tokens for (each has its own rate-limit buckets). */
export const ADMIN_SUBJECTS = ["presenter", "second", "third"] as const;
export type AdminSubject = (typeof ADMIN_SUBJECTS)[number];

export interface LiveServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** The server's own PostgreSQL database. */
  databaseUrl: string;
  adminToken(sub?: AdminSubject): string;
  stop(): Promise<void>;
}

/**
 * A real Caja server on a real socket (127.0.0.1, random port) with a fresh PostgreSQL
 * database, polling at the fastest allowed interval so each test takes seconds.
 * `env` overrides any variable, e.g. `{ RATE_LIMIT_POLL: "3/10s" }`.
 */
export async function startLiveServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const database = await createFreshPostgres("caja_client_test");
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    JWT_SECRET: "client-test-secret-0123456789abcdefghijklmnop",
    POLL_INTERVAL_MS: "250",
    RATE_LIMIT_POLL: "100000/1s",
    RATE_LIMIT_READ: "100000/1s",
    RATE_LIMIT_WRITE: "100000/1s",
    RATE_LIMIT_JOIN: "100000/1s",
    ...env,
  });
  const app = await createCajaServer(config, { logger: stderrLogger() });
  const url = await app.listen();
  return {
    url,
    databaseUrl: database.url,
    adminToken: (sub: AdminSubject = "presenter") => app.deps.tokens.sign({ sub, role: "admin" }, 3600).token,
    stop: async () => {
      await app.close();
      await database.drop();
    },
  };
}
