import { randomInt } from "node:crypto";
import { invalidResponseMessage } from "@caja/activities";
import { isForeignKeyViolation, queryRows, sql, type Database, type UserResponseRow } from "@caja/db";
import { receiveStamp, type RequestTiming } from "../context";
import { CajaError, invalidActivityInput, notFound, participantRemoved } from "../errors";
import { cachedActivityDefinition, loadActivityDefinition, type ActivityDefinition } from "./activity-definition";
import { cacheKeys, responseKeys } from "./cache-keys";
import type { ServiceDeps } from "./deps";
import { fromSqlRow, type UserResponseSqlRow } from "./response-rows";
import { completeIfTimeUp } from "./time-limit";

/** Counter rows per activity; writers pick one at random so they rarely queue on the same row lock. */
export const COUNTER_SHARDS = 16;

/** A definition can change between reading it and writing; past this many tries the caller retries. */
const MAX_DEFINITION_TRIES = 3;

interface SubmitOutcome extends Partial<UserResponseSqlRow> {
  /** False when the statement started after the request's deadline: nothing was written. */
  in_time: boolean;
  /** False when the request's seat (`seat`) is not held: nothing was written. */
  seated: boolean;
  /** Not seated because the participant row is gone with its session. */
  session_gone: boolean;
  /** The activity's status, null when it does not exist in this session. */
  activity_status: string | null;
  /** The row still has the type, config, mode and cap the response was validated against. */
  definition_current: boolean | null;
  time_up: boolean | null;
  /** Multiple mode with a cap: the participant's responses before this one. */
  used: number | string | null;
  cap: number | null;
  inserted: boolean | null;
}

export interface SubmitResult {
  response: UserResponseRow;
  created: boolean;
}

export interface SubmitRequest {
  sessionId: number;
  activityId: string;
  participantId: number;
  data: unknown;
  timing?: RequestTiming;
  /**
   * The caller's token, when the statement is to check its seat (the guard left the check to
   * it: one round trip fewer): nothing is stored unless the participant row exists, is not
   * removed and carries this token id and session, and the answer is then what the seat check
   * would have answered (401 PARTICIPANT_REMOVED, or 404 for a deleted session). Without it the
   * row is still required not removed. Read in the statement's snapshot; a removal committing
   * while the statement runs is ordered after the answer when the participant had answered before
   * (its seat stays taken either way), and refuses it otherwise (see `answered` below).
   */
  seat?: { tokenId: string; sessionId: number };
}

/**
 * Submits a participant's response to an active activity. The response is validated
 * against the activity's type and config (`registry.validateResponse`) and stored as
 * validated. Single mode replaces the participant's answer; multiple mode adds a row,
 * up to `max_responses_per_participant`, or the deployment's default when the activity sets
 * none (`registry.responseCap`: no activity takes answers without end).
 *
 * One statement, so one round trip and one implicit transaction: the activity checks
 * (active, not past `ends_at`, still the definition validated against), the write and
 * the counter increment commit together or not at all. A capped activity (every multiple-mode
 * one) adds one statement before it, in the same transaction: a per-(activity, participant) advisory
 * lock, so the count the insert is conditioned on cannot be raced (taken in its own
 * statement because a statement's snapshot predates any lock it waits for inside).
 *
 * The activity row is read FOR SHARE: a completion or deletion that committed first is
 * seen (the row is re-read once its lock is free), and one that comes later waits for
 * this commit. So an answer commits before its activity completes (and is counted) or is
 * refused ACTIVITY_NOT_ACTIVE, and one racing a deletion is stored before it (and goes
 * with it) or is a 404 naming the activity. Submissions share the lock with each other.
 *
 * Two rules keep a late request from losing a newer answer (issue 10): a request
 * whose statement starts after its deadline writes nothing (the client was told
 * 503 and will retry), and an answer only replaces one received before it, so a
 * request that reached the database after a newer one of the same participant
 * is not applied (409 RESPONSE_SUPERSEDED: that newer answer stands).
 */
export async function submitResponse(deps: ServiceDeps, q: SubmitRequest): Promise<SubmitResult> {
  const timing = q.timing ?? { receivedAt: receiveStamp() };
  let definition = await cachedActivityDefinition(deps, q.activityId);
  for (let attempt = 1; ; attempt++) {
    if (!definition) throw notFound("Activity", q.activityId);
    const validation = deps.activityTypes.validateResponse(definition.type, definition.config, q.data);
    if (!validation.ok) throw invalidActivityInput(invalidResponseMessage, validation.issues);
    const write = {
      ...q,
      timing,
      definition,
      data: validation.value,
      status: deps.activityTypes.initialStatus(definition.type, definition.config),
      cap: deps.activityTypes.responseCap(definition.responseMode, definition.maxResponsesPerParticipant),
    };
    const outcome =
      write.cap !== null
        ? await deps.db.transaction(async (tx) => {
            await lockParticipantAnswers(tx, q);
            return runSubmit(tx, write);
          })
        : await runSubmit(deps.db, write);
    if (
      outcome.in_time &&
      outcome.seated &&
      outcome.activity_status === "active" &&
      !outcome.time_up &&
      outcome.definition_current === false
    ) {
      // Changed since it was cached (here or on another instance): nothing was written; validate against the row.
      if (attempt >= MAX_DEFINITION_TRIES) {
        throw new CajaError("CONFLICT", "The activity changed while the answer was stored; retry", { activity_id: q.activityId });
      }
      await deps.cache.invalidate([cacheKeys.activityDefinition(q.activityId)]);
      definition = await loadActivityDefinition(deps, q.activityId);
      continue;
    }
    return finish(deps, q, outcome);
  }
}

/**
 * Invalidates what a submission or a vote makes stale (`responseKeys`): counts, which may lag
 * in a burst (moderation and deletion invalidate the same keys at once). Called again by a
 * caller whose transaction commits later (an idempotent submission): a reload between the two
 * would hold the state from before the commit.
 */
export function invalidateAfterResponseWrite(deps: ServiceDeps, activityId: string, sessionId: number): Promise<void> {
  return deps.cache.invalidate(responseKeys(activityId, sessionId));
}

async function lockParticipantAnswers(db: Database, q: SubmitRequest): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${q.activityId}:${q.participantId}`}, 0))`);
}

interface Write extends SubmitRequest {
  timing: RequestTiming;
  definition: ActivityDefinition;
  status: string;
  /** The definition's cap (`registry.responseCap`): the row's own, else the default; null in single mode. */
  cap: number | null;
}

async function runSubmit(db: Database, w: Write): Promise<SubmitOutcome> {
  const d = w.definition;
  const shard = randomInt(COUNTER_SHARDS);
  const receivedAt = sql`to_timestamp(${w.timing.receivedAt}::float8 / 1000)`;
  const inTime =
    w.timing.deadline === undefined ? sql`true` : sql`clock_timestamp() < to_timestamp(${w.timing.deadline}::float8 / 1000)`;
  const tokenHeld = w.seat ? sql`p.token_id::text = ${w.seat.tokenId} and p.session_id = ${w.seat.sessionId}` : sql`true`;
  const seatSessionId = w.seat?.sessionId ?? w.sessionId;
  try {
    const [outcome] = await queryRows<SubmitOutcome>(
      db,
      sql`
      with guard as (
        select ${inTime} as in_time
      ), seat as (
        select p.removed_at is null and ${tokenHeld} as held, p.answered
          from participants p where p.id = ${w.participantId}
      ), act as (
        -- The cap is the definition's (a changed row is definition_current = false: nothing is written).
        select a.id, a.session_id, a.status, a.response_mode, ${w.cap}::int as cap,
               (a.type = ${d.type} and a.config = ${JSON.stringify(d.config)}::jsonb and a.response_mode = ${d.responseMode}
                and a.max_responses_per_participant is not distinct from ${d.maxResponsesPerParticipant}::int) as definition_current,
               (a.ends_at is not null and now() >= a.ends_at) as time_up,
               case when a.response_mode = 'multiple' and ${w.cap}::int is not null then
                 (select count(*) from user_responses r
                   where r.activity_id = a.id and r.participant_id = ${w.participantId}
                     and not r.single_answer and r.deleted_at is null)
               end as used
          from activities a
         where a.id = ${w.activityId} and a.session_id = ${w.sessionId}
           for share
      ), open as (
        select a.* from act a, guard g
         where a.status = 'active' and g.in_time and a.definition_current and not a.time_up
           and (a.used is null or a.used < a.cap)
      ), marked as (
        -- A first answer marks the participant in the row a removal locks: a removal that
        -- committed since this snapshot leaves no row to mark, and nothing is stored (its seat
        -- was given back); one that comes later sees the mark and keeps the seat taken.
        update participants set answered = true
         where id = ${w.participantId} and removed_at is null
           and exists (select from seat where held and not answered) and exists (select from open)
        returning id
      ), seated as (
        select s.held and (s.answered or not exists (select from open) or exists (select from marked)) as seated
          from seat s
      ), upserted as (
        insert into user_responses (session_id, activity_id, participant_id, response_data, received_at, single_answer, status,
                                    ever_approved)
        select a.session_id, a.id, ${w.participantId}, ${JSON.stringify(w.data)}::jsonb, ${receivedAt},
               a.response_mode = 'single', ${w.status}, ${w.status}::text = 'approved'
          from open a, seated s
         where s.seated
        on conflict (activity_id, participant_id) where single_answer do update
          set response_data = excluded.response_data,
              status = excluded.status,
              ever_approved = user_responses.ever_approved or excluded.ever_approved,
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
      select g.in_time, coalesce(s.seated, false) as seated,
             case when s.seated is null then not exists (select from sessions where id = ${seatSessionId}) else false end
               as session_gone,
             a.status as activity_status, a.definition_current, a.time_up, a.used, a.cap,
             u.id, u.session_id, u.activity_id, u.participant_id, u.response_data, u.created_at, u.updated_at,
             u.received_at, u.single_answer, u.status, u.vote_count, u.deleted_at, u.inserted
        from guard g left join seated s on true left join act a on true left join upserted u on true`,
      // Every submission sends this text: parsed and planned once per connection.
      { prepared: true },
    );
    if (!outcome) throw new Error("the submit statement returned no row");
    return outcome;
  } catch (error) {
    // The participant (or its session) was deleted meanwhile.
    if (isForeignKeyViolation(error)) throw notFound("Participant", w.participantId);
    throw error;
  }
}

async function finish(deps: ServiceDeps, q: SubmitRequest, outcome: SubmitOutcome): Promise<SubmitResult> {
  if (!outcome.in_time) {
    throw new CajaError(
      "SERVICE_UNAVAILABLE",
      "The database could not take the answer in time; nothing was stored, retry",
      {},
      2,
    );
  }
  // Before anything about the activity, as the guard's seat check would have answered.
  if (!outcome.seated) {
    throw outcome.session_gone ? notFound("Session", q.seat?.sessionId ?? q.sessionId) : participantRemoved(q.participantId);
  }
  if (outcome.activity_status === null) throw notFound("Activity", q.activityId);
  if (outcome.activity_status !== "active") {
    throw new CajaError(
      "ACTIVITY_NOT_ACTIVE",
      `Responses are accepted only while the activity is active (it is ${outcome.activity_status})`,
      { activity_id: q.activityId, status: outcome.activity_status },
    );
  }
  if (outcome.time_up) {
    await completeIfTimeUp(deps, q.activityId);
    throw new CajaError("ACTIVITY_TIME_UP", "The activity's time limit has passed; answers are no longer accepted", {
      activity_id: q.activityId,
    });
  }
  if (!outcome.id) {
    if (outcome.cap !== null && outcome.used !== null && Number(outcome.used) >= outcome.cap) {
      throw new CajaError("RESPONSE_LIMIT_REACHED", `At most ${outcome.cap} responses per participant`, {
        activity_id: q.activityId,
        limit: outcome.cap,
      });
    }
    throw new CajaError(
      "RESPONSE_SUPERSEDED",
      "A newer answer of yours, received after this one, is already stored; this one was not applied",
      { activity_id: q.activityId },
    );
  }
  await invalidateAfterResponseWrite(deps, q.activityId, q.sessionId);
  return { created: outcome.inserted === true, response: fromSqlRow(outcome as UserResponseSqlRow) };
}
