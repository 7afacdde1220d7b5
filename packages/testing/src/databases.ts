import { randomBytes } from "node:crypto";
import { createDb, migrate, type DbHandle } from "@caja/db";
import postgres from "postgres";

/** Which database the suites run on: `CAJA_TEST_DB=postgres` or the PGlite default. */
export const testDbKind = (): "postgres" | "pglite" => (process.env.CAJA_TEST_DB === "postgres" ? "postgres" : "pglite");

/** The server that fresh test databases are created on. */
export const adminDatabaseUrl = () => process.env.CAJA_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A new, empty PostgreSQL database; dropped by the returned function. */
export async function createFreshPostgres(prefix = "caja_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const base = new URL(adminDatabaseUrl());
  base.pathname = `/${name}`;
  return {
    url: base.toString(),
    drop: async () => {
      const sql = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

export interface TestDatabase extends DbHandle {
  /** Closes the connection and drops the database (PostgreSQL). */
  dispose(): Promise<void>;
}

/** A migrated database of the kind the run asks for: one per test file. */
export async function createTestDatabase(kind = testDbKind()): Promise<TestDatabase> {
  if (kind === "pglite") {
    const handle = createDb("memory://");
    await migrate(handle);
    return { ...handle, dispose: () => handle.close() };
  }
  const fresh = await createFreshPostgres();
  const handle = createDb(fresh.url, { maxConnections: 10 });
  await migrate(handle);
  return {
    ...handle,
    dispose: async () => {
      await handle.close();
      await fresh.drop();
    },
  };
}
