import { createDb, sql, type DbHandle } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFreshPostgres } from "../src/index";

/**
 * @caja/db's pool counters and statement hook on the `postgres` driver (issue 19): what the
 * server's /metrics and its PostgreSQL spans are made of, without the db package knowing either.
 */
const failure = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

/** Waits on a condition, never a fixed time. */
async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("PoolStats of a postgres handle", () => {
  let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
  let handle: DbHandle;
  const statements: Array<{ text: string; error?: unknown; ended: boolean }> = [];
  beforeAll(async () => {
    fresh = await createFreshPostgres();
    handle = createDb(fresh.url, {
      maxConnections: 1,
      statementTimeoutMs: 300,
      onQuery: (text) => {
        const statement: { text: string; error?: unknown; ended: boolean } = { text, ended: false };
        statements.push(statement);
        return (error) => Object.assign(statement, { error, ended: true });
      },
    });
    await handle.db.execute(sql`select 1`);
  });
  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  it("counts a statement that waits for the only connection, and frees both once they settle", async () => {
    const pool = handle.pool;
    expect(pool?.size).toBe(1);
    if (!pool) return;
    const waitsBefore = pool.waits;
    const first = handle.db.execute(sql`select pg_sleep(0.2)`).then(() => undefined);
    await until("the first statement to hold the connection", () => pool.inUse === 1);
    const second = handle.db.execute(sql`select 2`).then(() => undefined);
    await until("the second statement to wait", () => pool.waiting === 1);
    expect(pool.waits).toBe(waitsBefore + 1);
    await Promise.all([first, second]);
    expect({ inUse: pool.inUse, waiting: pool.waiting }).toEqual({ inUse: 0, waiting: 0 });
  });

  it("counts a statement PostgreSQL cancels at statement_timeout, apart from a deadline's cancel", async () => {
    const pool = handle.pool;
    if (!pool) throw new Error("no pool stats");
    const { statementTimeouts, deadlineCancels } = pool;
    expect(await failure(handle.db.execute(sql`select pg_sleep(2)`))).toBeInstanceOf(Error);
    expect(pool.statementTimeouts).toBe(statementTimeouts + 1);
    expect(await failure(handle.withDeadline(Date.now() + 50).execute(sql`select pg_sleep(0.25)`))).toBeInstanceOf(Error);
    expect(pool.deadlineCancels).toBe(deadlineCancels + 1);
    expect(pool.statementTimeouts).toBe(statementTimeouts + 1);
    expect(pool.inUse).toBe(0);
  });

  it("a transaction holds one connection however many statements it sends", async () => {
    const pool = handle.pool;
    if (!pool) throw new Error("no pool stats");
    const waits = pool.waits;
    await handle.db.transaction(async (tx) => {
      expect(pool.inUse).toBe(1);
      await tx.execute(sql`select 1`);
      await tx.execute(sql`select 2`);
    });
    expect(pool.waits).toBe(waits);
    expect(pool.inUse).toBe(0);
  });

  it("reports each statement to the hook, in a transaction too, with the error of one that failed", async () => {
    statements.length = 0;
    await handle.db.execute(sql`select 'plain' as a`);
    await failure(
      handle.withDeadline(Date.now() + 2000).transaction(async (tx) => {
        await tx.execute(sql`select 'in a transaction' as b`);
        await tx.execute(sql`select 1/0`);
      }),
    );
    const texts = statements.map((s) => s.text);
    expect(texts).toEqual(["select 'plain' as a", "select 'in a transaction' as b", "select 1/0"]);
    expect(statements.every((s) => s.ended)).toBe(true);
    expect(statements.map((s) => (s.error === undefined ? "ok" : "failed"))).toEqual(["ok", "ok", "failed"]);
  });
});
