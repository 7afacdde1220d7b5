import { activities, and, asc, count, eq, ne, sessions, sql, type ActivityRow, type SessionRow } from "@caja/db";
import { CajaError, notFound } from "../errors";
import type { ActivityId, LifecycleStatus, SessionId } from "@caja/db";
import { resolveFacilitatorFields, type FacilitatorFields } from "./activity-fields";
import { validConfig } from "./activity-types";
import { cacheKeys, resultKeys } from "./cache-keys";
import { completeIfTimeUp, endsAtOnActivation, looksTimeUp } from "./time-limit";
import type { ServiceDeps } from "./deps";
import { paginate } from "./paginate";
import { assertTransition, invalidateLifecycle } from "./lifecycle";

export interface NewActivity extends FacilitatorFields {
  type: string;
  title?: string | null;
  config: Record<string, unknown>;
  orderIndex?: number;
}

export async function createActivity(
  { db, activityTypes }: ServiceDeps,
  session: SessionRow,
  input: NewActivity,
): Promise<ActivityRow> {
  if (session.status === "completed") {
    throw new CajaError("SESSION_CLOSED", "Activities cannot be added to a completed session", { session_id: session.id });
  }
  const config = validConfig(activityTypes, input.type, input.config);
  const fields = resolveFacilitatorFields(activityTypes, input.type, input);
  const orderIndex =
    input.orderIndex ??
    sql<number>`(select coalesce(max(${activities.orderIndex}) + 1, 0) from ${activities} where ${activities.sessionId} = ${session.id})`;
  const [row] = await db
    .insert(activities)
    .values({ sessionId: session.id, type: input.type, title: input.title ?? null, config, orderIndex, ...fields })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

export async function findActivity(deps: ServiceDeps, sessionId: SessionId, activityId: ActivityId): Promise<ActivityRow> {
  const read = () =>
    deps.db
      .select()
      .from(activities)
      .where(and(eq(activities.id, activityId), eq(activities.sessionId, sessionId)));
  let [row] = await read();
  if (!row) throw notFound("Activity", activityId);
  // Past its time limit: completed by whoever looks first (see time-limit.ts).
  if (looksTimeUp(row) && (await completeIfTimeUp(deps, row.id))) [row] = await read();
  if (!row) throw notFound("Activity", activityId);
  return row;
}

export async function listActivities(
  deps: ServiceDeps,
  q: { sessionId: SessionId; limit: number; offset: number; status?: LifecycleStatus; hideDrafts?: boolean },
) {
  const page = await listActivityRows(deps, q);
  const expired = page.rows.filter(looksTimeUp);
  if (expired.length === 0) return page;
  // Past a time limit: complete it, then list again so status filters and counts agree.
  const completed = await Promise.all(expired.map((row) => completeIfTimeUp(deps, row.id)));
  return completed.some(Boolean) ? listActivityRows(deps, q) : page;
}

function listActivityRows(
  { db }: ServiceDeps,
  q: { sessionId: SessionId; limit: number; offset: number; status?: LifecycleStatus; hideDrafts?: boolean },
) {
  const where = and(
    eq(activities.sessionId, q.sessionId),
    q.status ? eq(activities.status, q.status) : undefined,
    q.hideDrafts ? ne(activities.status, "draft") : undefined,
  );
  return paginate(
    q,
    ({ limit, offset }) =>
      db
        .select()
        .from(activities)
        .where(where)
        .orderBy(asc(activities.orderIndex), asc(activities.createdAt))
        .limit(limit)
        .offset(offset),
    () => db.select({ n: count() }).from(activities).where(where),
  );
}

export interface ActivityPatch extends FacilitatorFields {
  type?: string;
  title?: string | null;
  config?: Record<string, unknown>;
  orderIndex?: number;
}

/**
 * A new type or config is validated together with the other, as stored, and so are the
 * response fields (the mode follows the type): the row is locked meanwhile so a concurrent
 * update cannot slip a config or a cap past a type change.
 */
export async function updateActivity(deps: ServiceDeps, sessionId: SessionId, activityId: ActivityId, patch: ActivityPatch) {
  const where = and(eq(activities.id, activityId), eq(activities.sessionId, sessionId));
  const row = await deps.db.transaction(async (tx) => {
    const [current] = await tx
      .select({
        type: activities.type,
        config: activities.config,
        status: activities.status,
        responseMode: activities.responseMode,
        maxResponsesPerParticipant: activities.maxResponsesPerParticipant,
        privateConfig: activities.privateConfig,
      })
      .from(activities)
      .where(where)
      .for("update");
    if (!current) throw notFound("Activity", activityId);
    const type = patch.type ?? current.type;
    const config =
      patch.type !== undefined || patch.config !== undefined
        ? validConfig(deps.activityTypes, type, patch.config ?? current.config)
        : undefined;
    const fields = resolveFacilitatorFields(deps.activityTypes, type, patch, current);
    const [updated] = await tx
      .update(activities)
      .set({
        type: patch.type,
        title: patch.title,
        orderIndex: patch.orderIndex,
        config,
        ...fields,
        updatedAt: sql`now()`,
      })
      .where(where)
      .returning();
    return updated;
  });
  if (!row) throw notFound("Activity", activityId);
  // Config, reveal and threshold shape the results (and a quiz's points) as much as the status.
  await invalidateLifecycle(deps, [
    cacheKeys.activityStatus(activityId),
    cacheKeys.activityDefinition(activityId),
    ...resultKeys(activityId, sessionId),
  ]);
  return row;
}

export async function deleteActivity(deps: ServiceDeps, sessionId: SessionId, activityId: ActivityId): Promise<void> {
  const removed = await deps.db.transaction(async (tx) => {
    // The foreign key would null current_activity_id silently; the status must show it moved.
    await tx
      .update(sessions)
      .set({ currentActivityId: null, updatedAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), eq(sessions.currentActivityId, activityId)));
    return tx
      .delete(activities)
      .where(and(eq(activities.id, activityId), eq(activities.sessionId, sessionId)))
      .returning({ id: activities.id });
  });
  if (removed.length === 0) throw notFound("Activity", activityId);
  await invalidateLifecycle(deps, [
    cacheKeys.activityStatus(activityId),
    cacheKeys.feedHead(activityId),
    cacheKeys.sessionStatus(sessionId),
    ...resultKeys(activityId, sessionId),
    cacheKeys.activityDefinition(activityId),
  ]);
}

/**
 * draft -> active -> completed. Activating makes the activity the session's
 * current one and completes the one that was active: at most one active
 * activity per session, and only in an active session. The session row is
 * locked so that two activations cannot both win.
 */
export async function setActivityStatus(deps: ServiceDeps, current: ActivityRow, to: LifecycleStatus): Promise<ActivityRow> {
  if (current.status === to) return current;
  assertTransition("Activity", current.status, to);
  const outcome = await deps.db.transaction(async (tx) => {
    const [session] = await tx
      .select({ status: sessions.status })
      .from(sessions)
      .where(eq(sessions.id, current.sessionId))
      // Not FOR UPDATE: a submission holding this activity's row (FOR SHARE) checks its foreign key
      // to the session with FOR KEY SHARE, which FOR UPDATE would block: a deadlock.
      .for("no key update");
    if (!session) throw notFound("Session", current.sessionId);
    const [fresh] = await tx.select().from(activities).where(eq(activities.id, current.id));
    if (!fresh) throw notFound("Activity", current.id);
    if (fresh.status === to) return { row: fresh, completed: [] as string[] };
    assertTransition("Activity", fresh.status, to);
    let completed: string[] = [];
    if (to === "active") {
      if (session.status !== "active") {
        throw new CajaError("INVALID_TRANSITION", "Only an active session can have an active activity", {
          field: "status",
          session_status: session.status,
        });
      }
      const previous = await tx
        .update(activities)
        .set({ status: "completed", completedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(activities.sessionId, current.sessionId), eq(activities.status, "active"), ne(activities.id, current.id)))
        .returning({ id: activities.id });
      completed = previous.map((p) => p.id);
      await tx
        .update(sessions)
        .set({ currentActivityId: current.id, updatedAt: sql`now()` })
        .where(eq(sessions.id, current.sessionId));
    }
    const stamp =
      to === "active"
        ? { startedAt: sql`now()`, endsAt: endsAtOnActivation(deps.activityTypes, fresh.type, fresh.config) }
        : { completedAt: sql`now()` };
    const [row] = await tx
      .update(activities)
      .set({ status: to, updatedAt: sql`now()`, ...stamp })
      .where(eq(activities.id, current.id))
      .returning();
    if (!row) throw notFound("Activity", current.id);
    return { row, completed };
  });
  await invalidateLifecycle(deps, [
    cacheKeys.activityStatus(current.id),
    cacheKeys.sessionStatus(current.sessionId),
    ...outcome.completed.map(cacheKeys.activityStatus),
    ...[current.id, ...outcome.completed].flatMap((id) => resultKeys(id, current.sessionId)),
  ]);
  return outcome.row;
}
