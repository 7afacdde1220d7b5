import { createDb, isDatabaseUnavailable, queryRows, sql, type DbHandle } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFreshPostgres, startPrivatePostgres, type PrivatePostgres } from "../src/index";

/**
 * @caja/db's request deadlines on the `postgres` driver (issue 10): a query that
 * has not reached PostgreSQL by its deadline fails at once with an "unavailable"
 * error and is never sent afterwards, whatever it was waiting for.
 */
const marks = async (handle: DbHandle) =>
  (await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from marks`))[0]?.n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Holds the pool's only connection (drizzle's query promises are lazy: `then` sends them). */
const occupy = async (handle: DbHandle) => {
  const busy = handle.db.execute(sql`select pg_sleep(0.8)`).then(() => undefined);
  await sleep(50);
  return { busy };
};
const failure = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

describe("a query waiting for a busy pool", () => {
  let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
  let handle: DbHandle;
  beforeAll(async () => {
    fresh = await createFreshPostgres();
    handle = createDb(fresh.url, { maxConnections: 1 });
    await handle.db.execute(sql`create table marks (n int)`);
  });
  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  it("fails at its deadline with an unavailable error and never runs later", async () => {
    const { busy } = await occupy(handle);
    const started = Date.now();
    const error = await failure(handle.withDeadline(Date.now() + 150).execute(sql`insert into marks values (1)`));
    expect(Date.now() - started).toBeLessThan(600);
    expect(isDatabaseUnavailable(error)).toBe(true);
    await busy;
    expect(await marks(handle)).toBe(0);
  });

  it("a transaction that only gets its connection after the deadline fails then, and rolls back unapplied", async () => {
    const { busy } = await occupy(handle);
    const started = Date.now();
    const error = await failure(
      handle.withDeadline(Date.now() + 150).transaction(async (tx) => tx.execute(sql`insert into marks values (2)`)),
    );
    expect(Date.now() - started).toBeLessThan(600);
    expect(isDatabaseUnavailable(error)).toBe(true);
    await busy;
    await sleep(100);
    expect(await marks(handle)).toBe(0);
  });

  it("a transaction whose statement still waits at the deadline is cancelled then, and rolls back unapplied", async () => {
    const started = Date.now();
    const error = await failure(
      handle.withDeadline(Date.now() + 300).transaction(async (tx) => {
        await tx.execute(sql`insert into marks values (4)`);
        await tx.execute(sql`select pg_sleep(3)`);
      }),
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await marks(handle)).toBe(0);
  });

  it("a query that finishes in time is untouched", async () => {
    await handle.withDeadline(Date.now() + 2000).execute(sql`insert into marks values (3)`);
    expect(await marks(handle)).toBe(1);
  });
});

describe("a query waiting for its connection to reopen after PostgreSQL restarted", () => {
  let pg: PrivatePostgres;
  let handle: DbHandle;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    handle = createDb(pg.url, { maxConnections: 1 });
  });
  afterAll(async () => {
    await handle?.close();
    await pg?.dispose();
  });

  it("is cancelled at its deadline without stranding the pool's connection (postgres.js patch)", async () => {
    await handle.db.execute(sql`select 1`);
    await pg.stop();
    expect(isDatabaseUnavailable(await failure(handle.db.execute(sql`select 1`)))).toBe(true);
    await pg.start();
    // The deadline passes while the only connection is being opened for this query.
    const error = await failure(handle.withDeadline(Date.now() + 1).execute(sql`select 1`));
    expect(isDatabaseUnavailable(error)).toBe(true);
    const started = Date.now();
    const next = await Promise.race([
      handle.db.execute(sql`select 2 as two`).then(() => "answered"),
      new Promise((resolve) => setTimeout(() => resolve("stuck"), 3000)),
    ]);
    expect(next).toBe("answered");
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
