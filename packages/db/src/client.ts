import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import postgres from "postgres";
import * as schema from "./schema";

/** One type for both drivers: services never know which one they run on. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DbHandle {
  db: Database;
  driver: "postgres" | "pglite";
  /** The URL it was created from (a `postgres://` URL, a directory, or `memory://`). */
  url: string;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Pool size for the `postgres` driver. */
  maxConnections?: number;
}

/**
 * `postgres://` (or `postgresql://`) uses the `postgres` driver; a directory path
 * uses PGlite stored there; nothing (or `memory://`) is an in-memory PGlite.
 */
export function createDb(url?: string, options: CreateDbOptions = {}): DbHandle {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const client = postgres(url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Timestamps are parsed by drizzle; keep the driver from doing it twice.
      connection: { application_name: "caja" },
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    return { db, driver: "postgres", url, close: once(() => client.end({ timeout: 5 })) };
  }
  const dataDir = !url || url === "memory://" ? undefined : url.replace(/^file:\/\//, "");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { db, driver: "pglite", url: dataDir ?? "memory://", close: once(() => client.close()) };
}

/** close() may be called by several owners (shutdown paths, tests); the drivers only like it once. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= fn());
}
