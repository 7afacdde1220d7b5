import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "./client";

/** Turns drizzle's SQL into text and parameters; holds no state of a database, so one serves them all. */
export const dialect = new PgDialect();

export interface QueryRowsOptions {
  /**
   * Sent as a prepared statement (postgres.js `prepare: true`), parsed and planned once per
   * connection: one round trip per call instead of two (unprepared, the driver first asks
   * the server for the parameter types), and no parse or plan on the server. Only for a
   * statement whose text is fixed (values as parameters): each distinct text stays prepared
   * on its connection for the connection's life.
   */
  prepared?: boolean;
}

/**
 * Runs raw SQL and returns its rows on either driver (`postgres` answers an
 * array, PGlite an object with `rows`). Only for the few queries the query
 * builder cannot express, such as row-value comparisons on `xid8`.
 */
export async function queryRows<T>(
  db: Pick<Database, "execute" | "_">,
  query: SQL,
  options: QueryRowsOptions = {},
): Promise<T[]> {
  const result: unknown = options.prepared ? await executePrepared(db, query) : await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

/** `db.execute` never names its query, and drizzle prepares only named ones (the name itself is not used). */
function executePrepared(db: Pick<Database, "_">, query: SQL): Promise<unknown> {
  return db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, "prepared", false).execute();
}
