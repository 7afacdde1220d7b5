import type { ActivityRegistry } from "@caja/activities";
import type { Database } from "@caja/db";
import type { ReadThroughCache } from "../cache";

/** What services need: the database, the cache their writes invalidate, and the activity types they validate against. */
export interface ServiceDeps {
  db: Database;
  cache: ReadThroughCache;
  activityTypes: ActivityRegistry;
  /**
   * `db` is a transaction. Cached reads then bypass the cache: a cached load is shared with
   * every request waiting on its key and may run later as a background refill, so on one
   * request's transaction it would queue behind that transaction's statements, fail with them
   * when the transaction aborts (and fail every other request waiting on the key), or run after
   * the transaction ended. Loading outside it is no answer either: PGlite has one connection.
   */
  inTransaction?: boolean;
}

/** `deps.cache.get(key, load)`, except inside a transaction, where the read is the request's own. */
export function cachedRead<D extends Pick<ServiceDeps, "cache" | "inTransaction">, T>(
  deps: D,
  key: string,
  load: (deps: D) => Promise<T>,
): Promise<T> {
  return Promise.resolve(cachedReadNow(deps, key, load));
}

/** `cachedRead`, but the value itself when the local cache answers at once (see `ReadThroughCache.getNow`). */
export function cachedReadNow<D extends Pick<ServiceDeps, "cache" | "inTransaction">, T>(
  deps: D,
  key: string,
  load: (deps: D) => Promise<T>,
): T | Promise<T> {
  return deps.inTransaction ? load(deps) : deps.cache.getNow(key, () => load(deps));
}
