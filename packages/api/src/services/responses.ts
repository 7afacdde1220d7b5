import { randomInt } from "node:crypto";
import {
  activities,
  and,
  asc,
  count,
  eq,
  isForeignKeyViolation,
  queryRows,
  sql,
  userResponses,
  type UserResponseRow,
} from "@caja/db";
import { CajaError, notFound } from "../errors";
import { cacheKeys } from "./cache-keys";
import { fromSqlRow, type UserResponseSqlRow } from "./response-rows";
import type { ServiceDeps } from "./deps";

/** Counter rows per activity; writers pick one at random so they rarely queue on the same row lock. */
export const COUNTER_SHARDS = 16;

interface SubmittedRow extends UserResponseSqlRow {
  inserted: boolean;
}

export interface SubmitResult {
  response: UserResponseRow;
  created: boolean;
}

/**
 * Submits (or replaces) a participant's answer to an active activity. One
 * statement, so one round trip and one implicit transaction: the activity check,
 * the upsert, and the counter increment commit together or not at all. A
 * replacement keeps the count and moves the row to the feed's head (new txid).
 */
export async function submitResponse(
  deps: ServiceDeps,
  q: { sessionId: number; activityId: string; participantId: number; data: unknown },
): Promise<SubmitResult> {
  const shard = randomInt(COUNTER_SHARDS);
  let rows: SubmittedRow[];
  try {
    rows = await queryRows<SubmittedRow>(
      deps.db,
      sql`
      with upserted as (
        insert into user_responses (session_id, activity_id, participant_id, response_data)
        select a.session_id, a.id, ${q.participantId}, ${JSON.stringify(q.data)}::jsonb
          from activities a
         where a.id = ${q.activityId} and a.session_id = ${q.sessionId} and a.status = 'active'
        on conflict (activity_id, participant_id) do update
          set response_data = excluded.response_data,
              updated_at = now(),
              txid = pg_current_xact_id()
        returning *, (xmax = 0) as inserted
      ), counted as (
        insert into activity_response_counters (activity_id, shard, response_count, last_response_at)
        select activity_id, ${shard}, case when inserted then 1 else 0 end, updated_at from upserted
        on conflict (activity_id, shard) do update
          set response_count = activity_response_counters.response_count + excluded.response_count,
              last_response_at = greatest(activity_response_counters.last_response_at, excluded.last_response_at)
      )
      select id, session_id, activity_id, participant_id, response_data, created_at, updated_at, inserted
        from upserted`,
    );
  } catch (error) {
    // The participant (or its session) was deleted meanwhile.
    if (isForeignKeyViolation(error)) throw notFound("Participant", q.participantId);
    throw error;
  }
  const row = rows[0];
  if (!row) {
    const [activity] = await deps.db
      .select({ status: activities.status })
      .from(activities)
      .where(and(eq(activities.id, q.activityId), eq(activities.sessionId, q.sessionId)));
    if (!activity) throw notFound("Activity", q.activityId);
    throw new CajaError(
      "ACTIVITY_NOT_ACTIVE",
      `Responses are accepted only while the activity is active (it is ${activity.status})`,
      {
        activity_id: q.activityId,
        status: activity.status,
      },
    );
  }
  await deps.cache.invalidate([cacheKeys.activityStatus(q.activityId), cacheKeys.feedHead(q.activityId)]);
  return {
    created: row.inserted,
    response: fromSqlRow(row),
  };
}

export async function listResponses(
  { db }: ServiceDeps,
  q: { activityId: string; participantId?: number; limit: number; offset: number },
) {
  const where = and(
    eq(userResponses.activityId, q.activityId),
    q.participantId === undefined ? undefined : eq(userResponses.participantId, q.participantId),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(userResponses)
      .where(where)
      .orderBy(asc(userResponses.createdAt), asc(userResponses.id))
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: count() }).from(userResponses).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
