import type { Database } from "@caja/db";
import type { ReadThroughCache } from "../cache";

/** What services need: the database, and the cache their writes invalidate. */
export interface ServiceDeps {
  db: Database;
  cache: ReadThroughCache;
}
