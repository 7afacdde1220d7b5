import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminDatabaseUrl, createFreshPostgres } from "@caja/testing";
import postgres from "postgres";
import { cpuProfileArgs, startMeasured, type Measured } from "./servers";

/**
 * High enough that the bench measures throughput, not the limiter (the limiter's cost is still paid),
 * over the defaults' one-minute window: a shared limit's cost per request depends on the window's length.
 */
const UNLIMITED = "60000000/60s";

export type Undo = Array<[string, () => Promise<unknown>]>;

/**
 * An admin connection (for pg_stat views) and a fresh database named after `prefix`, both
 * undone with `undo`; `database` is its name, as pg_stat_database has it.
 */
export async function benchDatabase(undo: Undo, prefix: string) {
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  undo.push(["admin", () => admin.end()]);
  const fresh = await createFreshPostgres(prefix);
  undo.push(["drop database", () => fresh.drop()]);
  return { admin, url: fresh.url, database: new URL(fresh.url).pathname.slice(1) };
}

export interface Stack {
  server: Measured;
  bridge: Measured;
  baseline: Measured;
  /** The JWT secret the server signs with: the presenter's admin token is signed with it too. */
  secret: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The Caja server (configured through its environment, like `pnpm start`), the
 * Upstash REST bridge in front of Redis and the bare baseline, each a child
 * process. All three start at once, since each spends seconds loading
 * TypeScript: the bridge's address and token are chosen here so the server can
 * be told them before the bridge is up (it reaches Redis only on requests).
 */
export async function startStack(
  options: {
    databaseUrl: string;
    redisUrl: string;
    redisDriver: "upstash" | "native";
    workers: number;
    serverEnv: Record<string, string>;
    profileDir: string | null;
    /** Run the server from another checkout's bench directory (see `StartOptions.benchRoot`). */
    serverBenchRoot?: string;
  },
  undo: Undo,
): Promise<Stack> {
  const bridgeUrl = `http://127.0.0.1:${await freePort()}`;
  const bridgeToken = randomBytes(16).toString("hex");
  const baselineStarting = startMeasured("baseline", "baseline");
  const bridgeStarting = startMeasured("redis bridge", "bridge", {
    env: { BENCH_REDIS_URL: options.redisUrl, BENCH_BRIDGE_PORT: new URL(bridgeUrl).port, BENCH_BRIDGE_TOKEN: bridgeToken },
  });
  // Awaited below; a failure must not go unhandled meanwhile.
  baselineStarting.catch(() => undefined);
  bridgeStarting.catch(() => undefined);
  undo.push(["baseline", async () => (await baselineStarting).stop()]);
  undo.push(["bridge", async () => (await bridgeStarting).stop()]);

  const secret = randomBytes(32).toString("hex");
  const dataDir = mkdtempSync(join(tmpdir(), "caja-bench-"));
  undo.push(["data dir", () => rm(dataDir, { recursive: true, force: true })]);
  const server = await startMeasured("caja server", "server", {
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: secret,
      CAJA_DATA_DIR: dataDir,
      // The bridge runs either way (idle with the native driver), so every run reports the same processes.
      ...(options.redisDriver === "native"
        ? { REDIS_URL: options.redisUrl }
        : { UPSTASH_REDIS_REST_URL: bridgeUrl, UPSTASH_REDIS_REST_TOKEN: bridgeToken }),
      CAJA_WORKERS: String(options.workers),
      REDIS_KEY_PREFIX: `bench-${secret.slice(0, 12)}:`,
      RATE_LIMIT_POLL: UNLIMITED,
      RATE_LIMIT_READ: UNLIMITED,
      RATE_LIMIT_WRITE: UNLIMITED,
      RATE_LIMIT_JOIN: UNLIMITED,
      RATE_LIMIT_SESSION_JOIN: UNLIMITED,
      // Every simulated participant connects from 127.0.0.1, as the limits above are all one caller's.
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: "0",
      ...options.serverEnv,
    },
    nodeArgs: options.profileDir ? cpuProfileArgs(options.profileDir) : [],
    benchRoot: options.serverBenchRoot,
  });
  undo.push(["server", () => server.stop()]);
  const [baseline, bridge] = await Promise.all([baselineStarting, bridgeStarting]);
  return { server, bridge, baseline, secret };
}
