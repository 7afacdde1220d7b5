import { createDb, isDatabaseUnavailable, queryRows, sql } from "@caja/db";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createFreshPostgres, startTcpRelay, type TcpRelay } from "../src/index";

/**
 * The postgres.js fixes the fault suite (issue 10) called for (patches/postgres@3.4.9.patch),
 * each with the network fault that triggered it, made exact by a TCP relay between the
 * driver and PostgreSQL. Unpatched, each ends the process: an uncaught exception or an
 * unhandled rejection, which this file counts (and vitest reports) as a failure.
 * Each fault strikes once PostgreSQL (or the relay) shows the moment it is meant for, and
 * the count is read once the driver has nothing left to do: its pool closed, then one more
 * turn of the event loop for what that scheduled.
 */
let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeAll(async () => {
  fresh = await createFreshPostgres();
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
});
afterAll(async () => {
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
  await fresh?.drop();
});

let relay: TcpRelay;
let relayedUrl: string;
const relayVia = async (options: Parameters<typeof startTcpRelay>[1] = {}) => {
  const target = new URL(fresh.url);
  relay = await startTcpRelay({ host: target.hostname, port: Number(target.port || 5432) }, options);
  target.hostname = "127.0.0.1";
  target.port = String(relay.port);
  relayedUrl = target.toString();
};
beforeEach(() => {
  escaped.length = 0;
});
afterEach(async () => relay?.close());

const settled = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );
/** Resolves once PostgreSQL shows this statement text running (on any connection of the test database). */
const running = (text: string) =>
  vi.waitFor(
    async () => {
      const admin = createDb(fresh.url, { maxConnections: 1 });
      try {
        const [row] = await queryRows<{ n: number }>(
          admin.db,
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query = ${text}`,
        );
        expect(row?.n).toBe(1);
      } finally {
        await admin.close();
      }
    },
    { timeout: 10_000, interval: 20 },
  );
/** Closes the pool, then lets the event loop run what that scheduled: whatever would escape has then escaped. */
const drained = async (handle: { close(): Promise<void> }) => {
  await handle.close();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
};

describe("postgres.js under network faults", () => {
  it("a transaction whose connection is cut mid-statement fails; its rollback is not written to the dead socket", async () => {
    await relayVia();
    const handle = createDb(relayedUrl, { maxConnections: 2 });
    try {
      const transaction = settled(
        handle.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_sleep(5.01)`);
        }),
      );
      await running("select pg_sleep(5.01)");
      relay.dropAll();
      expect(isDatabaseUnavailable(await transaction)).toBe(true);
    } finally {
      await drained(handle);
    }
    expect(escaped).toEqual([]);
  });

  it("a connection lost while it fetches its array types, then refused, fails its first query at the deadline; nothing escapes", async () => {
    // Every connection is dropped when it sends its first query, the driver's own types query;
    // then the server refuses connections, as one going down does.
    let dropped = 0;
    await relayVia({
      dropAtClientChunk: 2,
      observeClient: () => {
        let chunks = 0;
        return () => {
          if (++chunks === 2) dropped++;
        };
      },
    });
    const handle = createDb(relayedUrl, { maxConnections: 1, connectTimeoutMs: 500 });
    try {
      const first = settled(queryRows(handle.withDeadline(Date.now() + 1500), sql`select 1 as n`));
      await vi.waitFor(() => expect(dropped).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
      await relay.refuseNew();
      expect(isDatabaseUnavailable(await first)).toBe(true);
    } finally {
      await drained(handle);
    }
    expect(escaped).toEqual([]);
  });

  it("a cancel request at the deadline that cannot connect is no unhandled rejection", async () => {
    await relayVia();
    const handle = createDb(relayedUrl, { maxConnections: 1 });
    try {
      await queryRows(handle.db, sql`select 1 as n`);
      // The running query's connection stays; the cancel request at its deadline is refused.
      await relay.refuseNew();
      await settled(handle.withDeadline(Date.now() + 200).execute(sql`select pg_sleep(1)`));
      // The cancel could not connect, so the statement runs its second out: the pool's next query waits for
      // it, long after the refused connection has failed.
      await queryRows(handle.db, sql`select 2 as n`);
    } finally {
      await drained(handle);
    }
    expect(escaped).toEqual([]);
  });

  it("a connection the server terminates mid-statement (a restart, pg_terminate_backend) fails that statement only; the next one reconnects and succeeds", async () => {
    // Unpatched, the FATAL error stayed on the connection object and was handed to the first
    // statement after the reconnect: a poll answered 503 seconds after PostgreSQL was back.
    const handle = createDb(fresh.url, { maxConnections: 1 });
    const admin = createDb(fresh.url, { maxConnections: 1 });
    try {
      const pid = (await queryRows<{ pid: number }>(handle.db, sql`select pg_backend_pid() as pid`))[0]?.pid;
      expect(pid).toEqual(expect.any(Number));
      const statement = settled(handle.db.execute(sql`select pg_sleep(5.02)`));
      await running("select pg_sleep(5.02)");
      await admin.db.execute(sql`select pg_terminate_backend(${pid ?? 0})`);
      expect(isDatabaseUnavailable(await statement)).toBe(true);
      const after = await queryRows<{ pid: number }>(handle.db, sql`select pg_backend_pid() as pid`);
      expect(after[0]?.pid).not.toBe(pid);
      expect(escaped).toEqual([]);
    } finally {
      await Promise.all([handle.close(), admin.close()]);
    }
  });
});
