import type { Sql } from "postgres";

/** Thrown when a query could not start before its request's deadline. Mapped to 503 like an unreachable database. */
export class DeadlineExceededError extends Error {
  readonly code = "DEADLINE_EXCEEDED";
  constructor() {
    super("The request's deadline passed before the database could run its query");
    this.name = "DeadlineExceededError";
  }
}

/** A postgres.js query once it exists; `cancel` and the two settle hooks are all this file relies on. */
interface PendingQuery {
  cancel(): unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The `postgres` client as drizzle sees it, bound to one request's deadline (epoch ms):
 * what has not reached PostgreSQL by then is taken out of the driver's queue and fails,
 * so a request answered "unavailable" can never be applied later, when the database
 * returns. A client per request (`DbHandle.withDeadline`), not one reading the deadline
 * from async context: an AsyncLocalStorage turns on Node's async hooks for every promise
 * and every socket write of the process, about 10 µs per poll over a socket.
 *
 * This file is the only one that knows postgres.js internals: a query is created by
 * `unsafe` and settles through its own `resolve`/`reject`; `cancel()` removes a query
 * still waiting for a connection (the outage case) and rejects it at once, or
 * asks the server to cancel one that is running. Fixes to postgres.js that this
 * relies on live in patches/postgres@3.4.9.patch: cancelling a query whose
 * connection is still opening no longer strands that connection, `begin`
 * works with pipelining off (createDb sets max_pipeline 0 so no query waits
 * where `cancel` cannot reach it), and a cancel request that fails (the server
 * gone) is no unhandled rejection. The same patch keeps a connection lost under a
 * transaction, or while opening, from ending the process (issue 10's fault suite).
 */
export function deadlineClient(client: Sql, deadline: number): Sql {
  const unsafe = armedUnsafe(client, deadline);
  const begin = (...args: unknown[]) => {
    const fn = args.at(-1) as (sql: unknown) => unknown;
    const options = args.length > 1 ? (args[0] as string) : "";
    if (Date.now() >= deadline) return Promise.reject(new DeadlineExceededError());
    // `begin` waits for a connection inside the driver, out of reach of `cancel`: a
    // transaction that gets one only after the deadline rolls back before doing anything.
    let started = false;
    const transaction = client.begin(options, (sql) => {
      if (Date.now() >= deadline) throw new DeadlineExceededError();
      started = true;
      // Its statements are cancelled at the deadline too (issue 10: one waiting on a row lock
      // held the request past its deadline, up to statement_timeout); it then rolls back unapplied.
      return fn(withArmedUnsafe(sql, deadline));
    });
    return new Promise((resolve, reject) => {
      // Once started it answers truthfully: committed, or failed and rolled back.
      const timer = setTimeout(() => started || reject(new DeadlineExceededError()), deadline - Date.now());
      transaction.finally(() => clearTimeout(timer)).then(resolve, reject);
    });
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") return unsafe;
      if (property === "begin") return begin;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** `unsafe` (what drizzle sends every statement through) with the request's deadline armed on each query. */
function armedUnsafe(client: Pick<Sql, "unsafe">, deadline: number): Sql["unsafe"] {
  return ((...args: Parameters<Sql["unsafe"]>) => {
    const query = client.unsafe(...args);
    armDeadline(query as unknown as PendingQuery, deadline);
    return query;
  }) as Sql["unsafe"];
}

function withArmedUnsafe<T extends Pick<Sql, "unsafe">>(client: T, deadline: number): T {
  const unsafe = armedUnsafe(client, deadline);
  return new Proxy(client, {
    get: (target, property, receiver) => (property === "unsafe" ? unsafe : (Reflect.get(target, property, receiver) as unknown)),
  });
}

function armDeadline(query: PendingQuery, deadline: number) {
  // Never synchronously: the query must first reach the pool (it does on the caller's
  // next microtask), since cancelling one the pool has not seen would strand a connection.
  const timer = setTimeout(() => query.cancel(), Math.max(0, deadline - Date.now()));
  const { resolve, reject } = query;
  query.resolve = (value) => {
    clearTimeout(timer);
    resolve(value);
  };
  query.reject = (error) => {
    clearTimeout(timer);
    reject(error);
  };
}
