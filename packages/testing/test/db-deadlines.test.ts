import { createDb, isDatabaseUnavailable, queryRows, sql, type DbHandle } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFreshPostgres, startPrivatePostgres, type PrivatePostgres } from "../src/index";

/**
 * @caja/db's request deadlines on the `postgres` driver (issue 10): a query that
 * has not reached PostgreSQL by its deadline fails at once with an "unavailable"
 * error and is never sent afterwards, whatever it was waiting for.
 *
 * What a query waits for is held by the test itself (an advisory lock that another
 * connection keeps until the test lets go), never for a guessed time: a deadline that
 * did not fire leaves the test waiting until it times out.
 */
const LOCK = 7_310_001;
const marks = async (handle: DbHandle) =>
  (await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from marks`))[0]?.n;
const failure = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

describe("a query waiting for a busy pool", () => {
  let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
  let handle: DbHandle;
  /** Takes and releases the lock, on one connection of its own. */
  let holder: DbHandle;
  beforeAll(async () => {
    fresh = await createFreshPostgres();
    handle = createDb(fresh.url, { maxConnections: 1 });
    holder = createDb(fresh.url, { maxConnections: 1 });
    await handle.db.execute(sql`create table marks (n int)`);
  });
  afterAll(async () => {
    await handle?.close();
    await holder?.close();
    await fresh?.drop();
  });

  /** How many statements of this database PostgreSQL shows waiting for the lock. */
  const lockWaiters = async () => {
    const [row] = await queryRows<{ n: number }>(
      holder.db,
      sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
           where l.locktype = 'advisory' and l.objid = ${LOCK} and not l.granted and a.datname = current_database()`,
    );
    return row?.n;
  };

  /** Holds the pool's only connection (its statement waits for the lock) until `release`. */
  const occupy = async () => {
    await holder.db.execute(sql`select pg_advisory_lock(${LOCK})`);
    const busy = handle.db.execute(sql`select pg_advisory_xact_lock(${LOCK})`).then(() => undefined);
    await vi.waitFor(async () => expect(await lockWaiters()).toBe(1), { timeout: 10_000, interval: 10 });
    return { busy, release: () => holder.db.execute(sql`select pg_advisory_unlock(${LOCK})`) };
  };

  it("fails at its deadline, while the pool is still busy, with an unavailable error and never runs later", async () => {
    const { busy, release } = await occupy();
    const error = await failure(handle.withDeadline(Date.now() + 150).execute(sql`insert into marks values (1)`));
    expect(isDatabaseUnavailable(error)).toBe(true);
    await release();
    await busy;
    // The pool serves its queue in order: a withdrawn insert that still ran would come before this read.
    expect(await marks(handle)).toBe(0);
  });

  it("a transaction that only gets its connection after the deadline fails then, and rolls back unapplied", async () => {
    const { busy, release } = await occupy();
    const error = await failure(
      handle.withDeadline(Date.now() + 150).transaction(async (tx) => tx.execute(sql`insert into marks values (2)`)),
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    await release();
    await busy;
    expect(await marks(handle)).toBe(0);
  });

  it("a transaction whose statement still waits at the deadline is cancelled then, and rolls back unapplied", async () => {
    await holder.db.execute(sql`select pg_advisory_lock(${LOCK})`);
    try {
      const error = await failure(
        handle.withDeadline(Date.now() + 300).transaction(async (tx) => {
          await tx.execute(sql`insert into marks values (4)`);
          await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
        }),
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
      // The lock is still held, yet nothing waits for it: the statement was cancelled in PostgreSQL, not just given up on.
      expect(await lockWaiters()).toBe(0);
    } finally {
      await holder.db.execute(sql`select pg_advisory_unlock(${LOCK})`);
    }
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
    const error = await failure(handle.withDeadline(Date.now() + 1).execute(sql`select 2`));
    expect(isDatabaseUnavailable(error)).toBe(true);
    // A stranded connection never answers again: bounded, so that it fails with a message, not the test's timeout.
    const stuck = new Promise((resolve) => setTimeout(() => resolve("stuck"), 10_000).unref());
    const next = await Promise.race([handle.db.execute(sql`select 3 as three`).then(() => "answered"), stuck]);
    expect(next).toBe("answered");
  });
});
