import { afterEach, describe, expect, it } from "vitest";
import { createDb, migrate, pendingMigrations, queryRows, sql } from "@caja/db";
import { createFreshPostgres, testDbKind } from "@caja/testing";
import { startTestServer, type TestServer } from "./harness";

/**
 * `caja migrate` as a step of its own, before the instances start (README, Deploy): with
 * MIGRATE_ON_START=false an instance changes no schema, and refuses one that lacks a migration
 * it needs. On the PGlite run each server has a database of its own, so this runs on PostgreSQL.
 */
const onPostgres = testDbKind() === "postgres";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<string> {
  const fresh = await createFreshPostgres();
  cleanups.push(fresh.drop);
  return fresh.url;
}

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer(env);
  cleanups.push(() => server.stop());
  return server;
}

describe.runIf(onPostgres)("MIGRATE_ON_START=false", () => {
  it("refuses an unmigrated database, naming what is missing and `caja migrate`; creates no table", async () => {
    const url = await freshDatabase();
    await expect(start({ DATABASE_URL: url, MIGRATE_ON_START: "false" })).rejects.toThrow(
      /lacks \d+ migrations of this release \(0000_init, .*\): run `caja migrate`/,
    );
    const db = createDb(url, { maxConnections: 1 });
    const tables = await queryRows<{ n: number }>(
      db.db,
      sql`select count(*)::int as n from pg_tables where schemaname = 'public'`,
    );
    await db.close();
    expect(tables).toEqual([{ n: 0 }]);
  });

  it("starts once `caja migrate` has run, and serves", async () => {
    const url = await freshDatabase();
    const db = createDb(url, { maxConnections: 1 });
    await migrate(db);
    await db.close();
    const server = await start({ DATABASE_URL: url, MIGRATE_ON_START: "false" });
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken()}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "After migrate" }),
    });
    expect(res.status).toBe(201);
  });

  it("starts on a database a newer release has migrated further (an old instance during an upgrade)", async () => {
    const url = await freshDatabase();
    const db = createDb(url, { maxConnections: 1 });
    await migrate(db);
    await db.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('next-release', ${Date.now() + 86_400_000})`,
    );
    expect(await pendingMigrations(db)).toEqual([]);
    await db.close();
    await start({ DATABASE_URL: url, MIGRATE_ON_START: "false" });
  });
});

describe.runIf(onPostgres)("MIGRATE_ON_START unset (pnpm start)", () => {
  it("migrates at start, as before", async () => {
    const url = await freshDatabase();
    await start({ DATABASE_URL: url });
    const db = createDb(url, { maxConnections: 1 });
    expect(await pendingMigrations(db)).toEqual([]);
    await db.close();
  });
});
