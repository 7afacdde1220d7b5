import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { DbHandle } from "./client";
import { fillNicknameKeys } from "./nickname-backfill";

export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

// Any constant works; it only has to be the same for every Caja instance.
const MIGRATION_LOCK_KEY = 0x6361_6a61;

/**
 * Applies pending migrations, then fills what SQL could not compute (nickname keys of older
 * rows); a no-op when the schema is current. Instances that start together on one PostgreSQL
 * take an advisory lock so only one migrates.
 */
export async function migrate(handle: DbHandle): Promise<void> {
  await applyMigrations(handle);
  await fillNicknameKeys(handle.db);
}

async function applyMigrations(handle: DbHandle): Promise<void> {
  if (handle.driver === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  // A session-level lock needs one connection for lock, migrate and unlock.
  const client = postgres(handle.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzle(client), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
