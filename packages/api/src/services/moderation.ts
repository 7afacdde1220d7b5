import {
  queryRows,
  sql,
  type ModerationStatusValue,
  type UserResponseRow,
  type ActivityId,
  type ResponseId,
  type SessionId,
} from "@caja/db";
import { notFound } from "../errors";
import type { ServiceDeps } from "./deps";
import { fromSqlRow, type UserResponseSqlRow } from "./response-rows";
import { responseKeys } from "./cache-keys";
import { invalidateLifecycle } from "./lifecycle";

/** One response of an activity; deleted responses are gone for every route. */
export interface ResponseRef {
  /** The session the guard checked the activity belongs to (its leaderboard may change). */
  sessionId: SessionId;
  activityId: ActivityId;
  responseId: ResponseId;
}

const columns = sql`id, session_id, activity_id, participant_id, response_data, created_at, updated_at, status, ever_approved, vote_count`;

/**
 * Sets a response's moderation status (owner; any activity status, so an entry can be
 * rejected after the activity closed). A change moves the row to the feed's head (new
 * txid), so followers learn of it: participants who may no longer see an entry they could
 * see (`ever_approved`) get a tombstone; one never approved stays out of their feed. Like a
 * lifecycle change, the decision shows on the next read here (a rejected entry leaves at
 * once). Setting the status it already has writes nothing and answers the same.
 */
export async function moderateResponse(
  deps: ServiceDeps,
  q: ResponseRef & { status: ModerationStatusValue },
): Promise<UserResponseRow> {
  const [row] = await queryRows<UserResponseSqlRow>(
    deps.db,
    sql`with target as (
          select id, status from user_responses
           where id = ${q.responseId} and activity_id = ${q.activityId} and deleted_at is null
        ), changed as (
          update user_responses u
             set status = ${q.status}, ever_approved = u.ever_approved or ${q.status}::text = 'approved',
                 txid = pg_current_xact_id(), updated_at = now()
            from target t
           where u.id = t.id and u.status <> ${q.status}
          returning u.id, u.session_id, u.activity_id, u.participant_id, u.response_data, u.created_at, u.updated_at,
                    u.status, u.ever_approved, u.vote_count
        )
        select * from changed
        union all
        select ${columns} from user_responses
         where id = (select id from target) and not exists (select 1 from changed)`,
  );
  if (!row) throw notFound("Response", q.responseId);
  await invalidateLifecycle(deps, responseKeys(q.activityId, q.sessionId));
  return fromSqlRow(row);
}

/**
 * Deletes a response (owner), softly: the row stays as a tombstone so the feed can tell
 * followers the id is gone, but its data is cleared (abusive content is not kept). In the
 * same statement one counter row of the activity is decremented, so `response_count`
 * stays exact (the counters are striped; their sum is the count, whichever row moves).
 * A deleted single-mode answer leaves the one-answer-per-participant index
 * (`single_answer = false`), so its author may answer again. Deleting it again is a 404.
 * Shown on the next read here, like a moderation decision.
 */
export async function removeResponse(deps: ServiceDeps, q: ResponseRef): Promise<void> {
  const rows = await queryRows<{ id: string }>(
    deps.db,
    sql`with gone as (
          update user_responses
             set deleted_at = now(), response_data = 'null'::jsonb, single_answer = false,
                 txid = pg_current_xact_id(), updated_at = now()
           where id = ${q.responseId} and activity_id = ${q.activityId} and deleted_at is null
          returning id, activity_id
        ), shard as (
          -- A row that still counts something: each shard stays non-negative. A concurrent
          -- delete that took the last unit of a row makes the lock skip it for the next one.
          select activity_id, shard from activity_response_counters
           where activity_id = (select activity_id from gone) and response_count > 0
           limit 1
           for update
        ), counted as (
          update activity_response_counters c
             set response_count = c.response_count - 1
            from shard s
           where c.activity_id = s.activity_id and c.shard = s.shard
        )
        select id from gone`,
  );
  if (rows.length === 0) throw notFound("Response", q.responseId);
  await invalidateLifecycle(deps, responseKeys(q.activityId, q.sessionId));
}
