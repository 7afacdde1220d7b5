import type { Sql, TransactionSql } from "postgres";
import { pgErrorCode } from "./errors";

/**
 * What the `postgres` pool is doing, as plain counters: the server turns them into
 * metrics (this package knows nothing of Prometheus). The pool's own queues are
 * internal to postgres.js, so use is counted here, as it hands out connections with
 * pipelining off (createDb): each statement outside a transaction, and each
 * transaction, holds one connection from its start until it settles; past `size`
 * of them the rest wait in the pool's queue.
 */
export class PoolStats {
  /** Statements and transactions started and not yet settled. */
  private busy = 0;
  /** Times one had to wait: every connection was taken when it started. */
  waits = 0;
  /** Statements PostgreSQL cancelled at `statement_timeout` (DB_STATEMENT_TIMEOUT_MS). */
  statementTimeouts = 0;
  /** Statements and transactions withdrawn or cancelled at their request's deadline. */
  deadlineCancels = 0;

  constructor(readonly size: number) {}

  /** Connections held now. */
  get inUse(): number {
    return Math.min(this.busy, this.size);
  }

  /** Statements and transactions waiting for a connection now. */
  get waiting(): number {
    return Math.max(0, this.busy - this.size);
  }

  started(): void {
    if (this.busy >= this.size) this.waits++;
    this.busy++;
  }

  settled(error: unknown): void {
    this.busy--;
    if (error === undefined) return;
    const code = pgErrorCode(error) ?? (error as { code?: unknown }).code;
    // 57014 is both: PostgreSQL's own timeout, or the cancel a deadline sends (deadline.ts).
    if (code === "57014" && error instanceof Error && /statement timeout/.test(error.message)) this.statementTimeouts++;
    else if (code === "57014" || code === "DEADLINE_EXCEEDED") this.deadlineCancels++;
  }
}

/**
 * Called as a statement is sent, with its SQL text; what it returns is called once when
 * the statement settles, with its error if it failed. Tracing hangs here (the server's
 * OpenTelemetry spans) without this package importing any of it.
 */
export type QueryHook = (sqlText: string) => ((error?: unknown) => void) | undefined;

/** A postgres.js query once it exists: it settles through these two (deadline.ts relies on the same). */
interface SettlingQuery {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The client every `db` of a handle goes through (deadline views wrap this one): it counts
 * `stats` and calls `hook` per statement, inside transactions too. Only `unsafe` (what
 * drizzle sends each statement through) and `begin` are intercepted.
 */
export function observedClient(client: Sql, stats: PoolStats, hook: QueryHook | undefined): Sql {
  const unsafe = ((...args: Parameters<Sql["unsafe"]>) => {
    const query = client.unsafe(...args);
    stats.started();
    onSettle(query as unknown as SettlingQuery, hook?.(args[0]), (error) => stats.settled(error));
    return query;
  }) as Sql["unsafe"];
  const begin = (...args: unknown[]) => {
    const fn = args.at(-1) as (sql: TransactionSql) => unknown;
    const options = args.length > 1 ? (args[0] as string) : "";
    stats.started();
    const transaction = client.begin(options, (sql) => fn(hook ? hookedUnsafe(sql, hook) : sql));
    transaction.then(
      () => stats.settled(undefined),
      (error: unknown) => stats.settled(error),
    );
    return transaction;
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") return unsafe;
      if (property === "begin") return begin;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** A transaction's own client, its statements reported to `hook` (they hold the transaction's connection: not counted again). */
function hookedUnsafe<T extends Pick<Sql, "unsafe">>(sql: T, hook: QueryHook): T {
  const unsafe = ((...args: Parameters<Sql["unsafe"]>) => {
    const query = sql.unsafe(...args);
    onSettle(query as unknown as SettlingQuery, hook(args[0]), undefined);
    return query;
  }) as Sql["unsafe"];
  return new Proxy(sql, {
    get: (target, property, receiver) => (property === "unsafe" ? unsafe : (Reflect.get(target, property, receiver) as unknown)),
  });
}

/**
 * Hooks the query's own settling rather than calling `then` on it: a postgres.js query
 * is sent by its first `then`, and drizzle still has to choose how (`.values()`).
 */
function onSettle(
  query: SettlingQuery,
  end: ((error?: unknown) => void) | undefined,
  count: ((error: unknown) => void) | undefined,
): void {
  const { resolve, reject } = query;
  // Once: a count settled twice would free a connection that is still held.
  let settled = false;
  const settle = (error: unknown) => {
    if (settled) return;
    settled = true;
    count?.(error);
    end?.(error);
  };
  query.resolve = (value) => {
    settle(undefined);
    resolve(value);
  };
  query.reject = (error) => {
    settle(error);
    reject(error);
  };
}
