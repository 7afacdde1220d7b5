import type { ActivityRegistry } from "@caja/activities";
import type { Database } from "@caja/db";
import type { ReadThroughCache } from "../cache";

/** What services need: the database, the cache their writes invalidate, and the activity types they validate against. */
export interface ServiceDeps {
  db: Database;
  cache: ReadThroughCache;
  activityTypes: ActivityRegistry;
}
