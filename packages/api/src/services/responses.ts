import { randomInt } from "node:crypto";
import { and, asc, count, eq, isForeignKeyViolation, queryRows, sql, userResponses, type UserResponseRow } from "@caja/db";
import { receiveStamp, type RequestTiming } from "../context";
import { CajaError, notFound } from "../errors";
import { cacheKeys } from "./cache-keys";
import { fromSqlRow, type UserResponseSqlRow } from "./response-rows";
import type { ServiceDeps } from "./deps";
import { paginate } from "./paginate";
import { listedFor } from "./response-visibility";

/** Counter rows per activity; writers pick one at random so they rarely queue on the same row lock. */
export const COUNTER_SHARDS = 16;

interface SubmitOutcome extends Partial<UserResponseSqlRow> {
  /** False when the statement started after the request's deadline: nothing was written. */
  in_time: boolean;
  /** The activity's status, null when it does not exist in this session. */
  activity_status: string | null;
  inserted: boolean | null;
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
 *
 * Two rules keep a late request from losing a newer answer (issue 10): a request
 * whose statement starts after its deadline writes nothing (the client was told
 * 503 and will retry), and an answer only replaces one received before it, so a
 * request that reached the database after a newer one of the same participant
 * is not applied (409 RESPONSE_SUPERSEDED: that newer answer stands).
 */
export async function submitResponse(
  deps: ServiceDeps,
  q: { sessionId: number; activityId: string; participantId: number; data: unknown; timing?: RequestTiming },
): Promise<SubmitResult> {
  const shard = randomInt(COUNTER_SHARDS);
  const timing = q.timing ?? { receivedAt: receiveStamp() };
  const receivedAt = sql`to_timestamp(${timing.receivedAt}::float8 / 1000)`;
  const inTime =
    timing.deadline === undefined ? sql`true` : sql`clock_timestamp() < to_timestamp(${timing.deadline}::float8 / 1000)`;
  let outcome: SubmitOutcome | undefined;
  try {
    [outcome] = await queryRows<SubmitOutcome>(
      deps.db,
      sql`
      with guard as (
        select ${inTime} as in_time
      ), upserted as (
        insert into user_responses (session_id, activity_id, participant_id, response_data, received_at)
        select a.session_id, a.id, ${q.participantId}, ${JSON.stringify(q.data)}::jsonb, ${receivedAt}
          from activities a, guard g
         where a.id = ${q.activityId} and a.session_id = ${q.sessionId} and a.status = 'active' and g.in_time
        on conflict (activity_id, participant_id) where single_answer do update
          set response_data = excluded.response_data,
              updated_at = now(),
              txid = pg_current_xact_id(),
              received_at = excluded.received_at
          where user_responses.received_at <= excluded.received_at
        returning *, (xmax = 0) as inserted
      ), counted as (
        insert into activity_response_counters (activity_id, shard, response_count, last_response_at)
        select activity_id, ${shard}, case when inserted then 1 else 0 end, updated_at from upserted
        on conflict (activity_id, shard) do update
          set response_count = activity_response_counters.response_count + excluded.response_count,
              last_response_at = greatest(activity_response_counters.last_response_at, excluded.last_response_at)
      )
      select g.in_time,
             (select a.status from activities a where a.id = ${q.activityId} and a.session_id = ${q.sessionId}) as activity_status,
             u.id, u.session_id, u.activity_id, u.participant_id, u.response_data, u.created_at, u.updated_at,
             u.received_at, u.status, u.vote_count, u.inserted
        from guard g left join upserted u on true`,
    );
  } catch (error) {
    // The participant (or its session) was deleted meanwhile.
    if (isForeignKeyViolation(error)) throw notFound("Participant", q.participantId);
    throw error;
  }
  if (!outcome?.in_time) {
    throw new CajaError(
      "SERVICE_UNAVAILABLE",
      "The database could not take the answer in time; nothing was stored, retry",
      {},
      2,
    );
  }
  if (outcome.activity_status === null) throw notFound("Activity", q.activityId);
  if (outcome.activity_status !== "active") {
    throw new CajaError(
      "ACTIVITY_NOT_ACTIVE",
      `Responses are accepted only while the activity is active (it is ${outcome.activity_status})`,
      { activity_id: q.activityId, status: outcome.activity_status },
    );
  }
  if (!outcome.id) {
    throw new CajaError(
      "RESPONSE_SUPERSEDED",
      "A newer answer of yours, received after this one, is already stored; this one was not applied",
      { activity_id: q.activityId },
    );
  }
  await deps.cache.invalidate([
    cacheKeys.activityStatus(q.activityId),
    cacheKeys.feedHead(q.activityId),
    cacheKeys.activityResults(q.activityId),
    cacheKeys.leaderboard(q.sessionId),
  ]);
  return {
    created: outcome.inserted === true,
    response: fromSqlRow(outcome as UserResponseSqlRow),
  };
}

/** The responses the caller sees (see response-visibility.ts); `participantId` undefined is the owner. */
export async function listResponses(
  { db, activityTypes }: ServiceDeps,
  q: { activityId: string; participantId?: number; limit: number; offset: number },
) {
  const where = and(eq(userResponses.activityId, q.activityId), listedFor(activityTypes, q.activityId, q.participantId));
  return paginate(
    q,
    ({ limit, offset }) =>
      db
        .select()
        .from(userResponses)
        .where(where)
        .orderBy(asc(userResponses.createdAt), asc(userResponses.id))
        .limit(limit)
        .offset(offset),
    () => db.select({ n: count() }).from(userResponses).where(where),
  );
}
