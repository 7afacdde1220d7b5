import { randomInt } from "node:crypto";
import { activities, and, count, desc, eq, isUniqueViolation, sessions, sql, type SessionRow } from "@caja/db";
import { notFound } from "../errors";
import { assertTransition, invalidateLifecycle } from "./lifecycle";
import type { LifecycleStatus } from "@caja/db";
import { cacheKeys } from "./cache-keys";
import type { ServiceDeps } from "./deps";
import { paginate } from "./paginate";

// No 0/O, 1/I/L: codes are read aloud and typed from a projector.
const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const JOIN_CODE_LENGTH = 6;

export function generateJoinCode(): string {
  let code = "";
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

export interface NewSession {
  title: string;
  description?: string | null;
  maxParticipants?: number;
  joinsLocked?: boolean;
  createdBy: string;
}

export async function createSession({ db }: ServiceDeps, input: NewSession): Promise<SessionRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await db
        .insert(sessions)
        .values({
          title: input.title,
          description: input.description ?? null,
          maxParticipants: input.maxParticipants,
          joinsLocked: input.joinsLocked,
          createdBy: input.createdBy,
          joinCode: generateJoinCode(),
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      return row;
    } catch (error) {
      if (isUniqueViolation(error) && attempt < 5) continue;
      throw error;
    }
  }
}

export async function findSession({ db }: ServiceDeps, id: number): Promise<SessionRow> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  if (!row) throw notFound("Session", id);
  return row;
}

export async function listSessions(
  { db }: ServiceDeps,
  q: { createdBy: string; limit: number; offset: number; status?: LifecycleStatus },
) {
  const where = and(eq(sessions.createdBy, q.createdBy), q.status ? eq(sessions.status, q.status) : undefined);
  return paginate(
    q,
    ({ limit, offset }) => db.select().from(sessions).where(where).orderBy(desc(sessions.id)).limit(limit).offset(offset),
    () => db.select({ n: count() }).from(sessions).where(where),
  );
}

export interface SessionPatch {
  title?: string;
  description?: string | null;
  maxParticipants?: number;
  joinsLocked?: boolean;
}

export async function updateSession(deps: ServiceDeps, id: number, patch: SessionPatch): Promise<SessionRow> {
  const [row] = await deps.db
    .update(sessions)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(sessions.id, id))
    .returning();
  if (!row) throw notFound("Session", id);
  await invalidateLifecycle(deps, [cacheKeys.sessionStatus(id), cacheKeys.joinPreview(row.joinCode)]);
  return row;
}

export async function deleteSession(deps: ServiceDeps, id: number): Promise<void> {
  const removed = await deps.db.transaction(async (tx) => {
    // Activities first, then the session, the order a submission takes them (its activity FOR SHARE,
    // then the session's key): the cascade would take the session first and deadlock with it.
    const gone = await tx.select({ id: activities.id }).from(activities).where(eq(activities.sessionId, id)).for("update");
    const [session] = await tx.delete(sessions).where(eq(sessions.id, id)).returning({ joinCode: sessions.joinCode });
    return session ? { joinCode: session.joinCode, activityIds: gone.map((a) => a.id) } : null;
  });
  if (removed === null) throw notFound("Session", id);
  // Every key of its activities: a poll on another instance must not keep answering them from the cache.
  await invalidateLifecycle(deps, [
    cacheKeys.sessionStatus(id),
    cacheKeys.joinPreview(removed.joinCode),
    cacheKeys.leaderboard(id),
    ...removed.activityIds.flatMap((activityId) => [
      cacheKeys.activityStatus(activityId),
      cacheKeys.activityDefinition(activityId),
      cacheKeys.activityResults(activityId),
      cacheKeys.feedHead(activityId),
    ]),
  ]);
}

/**
 * draft -> active -> completed. Asking for the status it already has is a no-op
 * (a retried PATCH must not fail). Completing a session completes its activity.
 */
export async function setSessionStatus(deps: ServiceDeps, current: SessionRow, to: LifecycleStatus): Promise<SessionRow> {
  if (current.status === to) return current;
  assertTransition("Session", current.status, to);
  const stamp = to === "active" ? { startedAt: sql`now()` } : { completedAt: sql`now()` };
  const row = await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(sessions)
      .set({ status: to, updatedAt: sql`now()`, ...stamp })
      // The status guard makes a concurrent transition lose cleanly instead of applying twice.
      .where(and(eq(sessions.id, current.id), eq(sessions.status, current.status)))
      .returning();
    if (!updated) return null;
    if (to === "completed") {
      await tx
        .update(activities)
        .set({ status: "completed", completedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(activities.sessionId, current.id), eq(activities.status, "active")));
    }
    return updated;
  });
  if (!row) {
    const fresh = await findSession(deps, current.id);
    if (fresh.status === to) return fresh;
    assertTransition("Session", fresh.status, to);
    return setSessionStatus(deps, fresh, to);
  }
  const keys = [cacheKeys.sessionStatus(row.id), cacheKeys.joinPreview(row.joinCode)];
  if (row.currentActivityId) keys.push(cacheKeys.activityStatus(row.currentActivityId));
  await invalidateLifecycle(deps, keys);
  return row;
}
