import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres, PostgresJsDatabase, PostgresJsSession } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { deadlineClient } from "./deadline";
import { observedClient, PoolStats, type QueryHook } from "./observed";
import { dialect } from "./rows";
import * as schema from "./schema";

/** One type for both drivers: services never know which one they run on. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

const viewOf = Symbol("caja.viewOf");

/**
 * The handle's `db` that `db` is a view of (`withDeadline`), or `db` itself: state kept per
 * database (a read shared by concurrent requests) is keyed by this, not by a request's view.
 */
export function underlyingDatabase(db: Database): Database {
  return (db as Database & { [viewOf]?: Database })[viewOf] ?? db;
}

export interface DbHandle {
  db: Database;
  driver: "postgres" | "pglite";
  /** The URL it was created from (a `postgres://` URL, a directory, or `memory://`). */
  url: string;
  /**
   * `db` for one request: no query of it starts after `deadline` (epoch ms), and one still
   * running then is cancelled (see ./deadline). `db` itself has none (background work, tests).
   * PGlite runs in process, one statement at a time: nothing waits there for a deadline to cut.
   */
  withDeadline: (deadline: number) => Database;
  /** The pool's use, waits and timeouts (`postgres` driver only: PGlite has no pool). */
  pool?: PoolStats;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Pool size for the `postgres` driver. */
  maxConnections?: number;
  /** How long opening a connection may take before it fails (the driver's default is 30 s). */
  connectTimeoutMs?: number;
  /** Server-side bound on one statement (PostgreSQL `statement_timeout`); 0 leaves it unbounded. */
  statementTimeoutMs?: number;
  /** Longest wait between reconnection attempts (the driver's default grows to 20 s). */
  reconnectMaxDelayMs?: number;
  /** Closes connections idle this long, so a pool does not keep sockets a restarted server dropped. */
  idleTimeoutMs?: number;
  /** Called per statement (`postgres` driver only), e.g. to trace it: see ./observed. */
  onQuery?: QueryHook;
}

/**
 * Delay before the n-th consecutive failed reconnection: 50 ms doubling, capped,
 * with jitter so instances do not retry in step. The pool's connections share
 * `retries`, so the cap is what bounds how soon the pool notices PostgreSQL is back.
 */
const reconnectBackoff = (maxDelayMs: number) => (retries: number) =>
  (Math.min(50 * 2 ** retries, maxDelayMs) * (0.5 + Math.random() / 2)) / 1000;

/**
 * No pipelining: a query queued behind a busy connection is already on the wire and
 * would run whenever that connection frees up, past any deadline. Waiting in the
 * pool's own queue instead, it can still be withdrawn (see ./deadline). A real
 * postgres.js option its type declarations omit, hence the spread.
 */
const noPipelining = { max_pipeline: 0 };

/**
 * `postgres://` (or `postgresql://`) uses the `postgres` driver; a directory path
 * uses PGlite stored there; nothing (or `memory://`) is an in-memory PGlite.
 */
export function createDb(url?: string, options: CreateDbOptions = {}): DbHandle {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const size = options.maxConnections ?? 10;
    const driver = postgres(url, {
      max: size,
      onnotice: () => {},
      connect_timeout: (options.connectTimeoutMs ?? 2000) / 1000,
      idle_timeout: (options.idleTimeoutMs ?? 60_000) / 1000,
      backoff: reconnectBackoff(options.reconnectMaxDelayMs ?? 500),
      ...noPipelining,
      connection: { application_name: "caja", statement_timeout: options.statementTimeoutMs ?? 5000 },
    });
    const pool = new PoolStats(size);
    const client = observedClient(driver, pool, options.onQuery);
    const base = drizzlePostgres(client, { schema });
    const db = base as unknown as Database;
    // A view of `base` over the deadline's client: its dialect and relational schema are shared, not rebuilt.
    const { fullSchema, schema: tables, tableNamesMap } = base._;
    if (!tables) throw new Error("drizzle built no relational schema");
    const relational = { fullSchema, schema: tables, tableNamesMap };
    const withDeadline = (deadline: number) => {
      const bound = deadlineClient(client, deadline);
      const view = new PostgresJsDatabase(dialect, new PostgresJsSession(bound, dialect, relational), relational);
      return Object.assign(view, { $client: bound, [viewOf]: db }) as unknown as Database;
    };
    return { db, driver: "postgres", url, withDeadline, pool, close: once(() => driver.end({ timeout: 2 })) };
  }
  const dataDir = !url || url === "memory://" ? undefined : url.replace(/^file:\/\//, "");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { db, driver: "pglite", url: dataDir ?? "memory://", withDeadline: () => db, close: once(() => client.close()) };
}

/** close() may be called by several owners (shutdown paths, tests); the drivers only like it once. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= fn());
}
