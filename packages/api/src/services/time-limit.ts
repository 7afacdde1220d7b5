import type { ActivityRegistry } from "@caja/activities";
import { queryRows, sql, type SQL, type ActivityId } from "@caja/db";
import { cacheKeys, resultKeys } from "./cache-keys";
import { invalidateLifecycle } from "./lifecycle";
import type { ServiceDeps } from "./deps";

/**
 * `ends_at` for an activity activated now: `now() + time limit`, computed by the database so
 * that the clock that sets it is the one the submit statement compares it with. Null for
 * types without a time limit.
 */
export function endsAtOnActivation(registry: ActivityRegistry, type: string, config: unknown): SQL | null {
  // endsAt(started_at) is started_at + limit: from the epoch it is the limit itself.
  const offset = registry.endsAt(type, config, new Date(0));
  return offset === null ? null : sql`now() + make_interval(secs => ${offset.getTime() / 1000})`;
}

/** Whether the app's clock says the time limit has passed (the update below asks the database's). */
export const looksTimeUp = (a: { status: string; endsAt: string | Date | null }): boolean =>
  a.status === "active" && a.endsAt !== null && new Date(a.endsAt).getTime() <= Date.now();

/** Completions under way in this process, so a crowd of pollers past `ends_at` sends one update. */
const pending = new Map<string, Promise<boolean>>();

/**
 * An activity with a time limit completes itself: whichever read or write first finds it
 * past `ends_at` runs this guarded update (only an active activity past its `ends_at`
 * changes; `completed_at` is `ends_at`, whoever noticed and when). True when it completed
 * the activity here.
 */
export function completeIfTimeUp(deps: ServiceDeps, activityId: ActivityId): Promise<boolean> {
  const running = pending.get(activityId);
  if (running) return running;
  const work = (async () => {
    const [done] = await queryRows<{ session_id: number | string }>(
      deps.db,
      sql`update activities set status = 'completed', completed_at = ends_at, updated_at = now()
           where id = ${activityId} and status = 'active' and ends_at is not null and ends_at <= now()
           returning session_id`,
    );
    if (!done) return false;
    const sessionId = Number(done.session_id);
    await invalidateLifecycle(deps, [
      cacheKeys.activityStatus(activityId),
      cacheKeys.sessionStatus(sessionId),
      ...resultKeys(activityId, sessionId),
    ]);
    return true;
  })().finally(() => pending.delete(activityId));
  pending.set(activityId, work);
  return work;
}
