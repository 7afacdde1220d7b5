import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { DbHandle } from "./client";
import { fillNicknameKeys } from "./nickname-backfill";
import { queryRows } from "./rows";

/** The SQL migrations of this checkout. A bundled server ships a copy and passes its own folder. */
export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

// Any constant works; it only has to be the same for every Caja instance.
const MIGRATION_LOCK_KEY = 0x6361_6a61;

/**
 * Applies pending migrations, then fills what SQL could not compute (nickname keys of older
 * rows); a no-op when the schema is current. Instances that start together on one PostgreSQL
 * take an advisory lock so only one migrates.
 */
export async function migrate(handle: DbHandle, folder = migrationsFolder): Promise<void> {
  await applyMigrations(handle, folder);
  await fillNicknameKeys(handle.db);
}

async function applyMigrations(handle: DbHandle, folder: string): Promise<void> {
  if (handle.driver === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    return;
  }
  // A session-level lock needs one connection for lock, migrate and unlock.
  const client = postgres(handle.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzle(client), { migrationsFolder: folder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * The migrations in `folder` the database has not applied, by tag (`0007_seats_revision`): empty
 * when its schema is current, or newer (an instance of the previous release, after `caja migrate`).
 * Drizzle's own rule: a migration counts as applied when it is not newer than the newest one
 * recorded in drizzle.__drizzle_migrations.
 */
export async function pendingMigrations(handle: DbHandle, folder = migrationsFolder): Promise<string[]> {
  const [table] = await queryRows<{ present: boolean }>(
    handle.db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  let newest = -Infinity;
  if (table?.present) {
    const [row] = await queryRows<{ newest: string | null }>(
      handle.db,
      sql`select max(created_at)::text as newest from drizzle.__drizzle_migrations`,
    );
    if (row?.newest != null) newest = Number(row.newest);
  }
  const journal = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8")) as {
    entries: Array<{ tag: string; when: number }>;
  };
  return journal.entries.filter((entry) => entry.when > newest).map((entry) => entry.tag);
}
