import { queryRows, sql, type ParticipantId, type ResponseId } from "@caja/db";
import { CajaError, notFound, participantRemoved } from "../errors";
import type { ServiceDeps } from "./deps";
import { type ResponseRef } from "./moderation";
import { invalidateAfterResponseWrite } from "./submit";

/** The caller's vote on a response once `setVote` has run. */
export interface VoteRecord {
  responseId: ResponseId;
  voteCount: number;
  voted: boolean;
}

interface VoteOutcome {
  participant_id: number | string;
  status: string;
  activity_status: string;
  type: string;
  votable: boolean;
  /** Null when the statement did not change the count (the vote was already there, or already gone). */
  changed_count: number | string | null;
  vote_count: number | string;
  /** False when the voter was removed before its first vote could mark it: nothing was stored. */
  seated: boolean;
}

/**
 * Upvotes (`add`) or withdraws the caller's vote on another participant's entry.
 * One statement, so the vote row and `vote_count` commit together: the count moves only
 * when a `response_votes` row was inserted (or deleted), so a repeat, a retry or two
 * concurrent requests of the same participant count once, and `vote_count` always equals
 * the number of vote rows. The entry moves to the feed's head (new txid) with its new count.
 *
 * Refusals, in order: the entry does not exist or the caller may not see it (another's
 * pending or rejected entry): 404; its type takes no votes: 409 VOTES_NOT_SUPPORTED; it is
 * the caller's own: 409 OWN_RESPONSE_VOTE; the activity is not active: 409 ACTIVITY_NOT_ACTIVE.
 */
export async function setVote(
  deps: ServiceDeps,
  q: ResponseRef & { participantId: ParticipantId; add: boolean },
): Promise<VoteRecord> {
  const votableTypes = deps.activityTypes.typesWith("votes").join(",");
  const target = sql`
    target as (
      select r.id, r.participant_id, r.status, r.vote_count, a.status as activity_status, a.type,
             a.type = any(string_to_array(${votableTypes}::text, ',')) as votable
        from user_responses r join activities a on a.id = r.activity_id
       where r.id = ${q.responseId} and r.activity_id = ${q.activityId} and r.deleted_at is null
    ), allowed as (
      select id from target
       where votable and activity_status = 'active' and status = 'approved' and participant_id <> ${q.participantId}
    )`;
  const change = q.add
    ? sql`seat as (
            select p.removed_at is null as held, p.answered from participants p where p.id = ${q.participantId}
          ), marked as (
            -- A first vote marks the voter, as a first answer does (submit.ts): its seat then stays
            -- taken after it leaves, and a removal that committed since this snapshot stores nothing.
            update participants set answered = true
             where id = ${q.participantId} and removed_at is null
               and exists (select from seat where held and not answered) and exists (select from allowed)
            returning id
          ), moved as (
            insert into response_votes (response_id, participant_id)
            select id, ${q.participantId} from allowed
             where exists (select from seat where held and (answered or exists (select from marked)))
            on conflict do nothing
            returning response_id
          ), counted as (
            update user_responses set vote_count = vote_count + 1, txid = pg_current_xact_id(), updated_at = now()
             where id in (select response_id from moved)
            returning vote_count
          )`
    : sql`moved as (
            delete from response_votes
             where response_id in (select id from allowed) and participant_id = ${q.participantId}
            returning response_id
          ), counted as (
            update user_responses set vote_count = vote_count - 1, txid = pg_current_xact_id(), updated_at = now()
             where id in (select response_id from moved)
            returning vote_count
          )`;
  // Withdrawing a vote counts nothing: the guard's seat check is enough.
  const seatedColumn = q.add
    ? sql`exists (select from seat where held and (answered or not exists (select from allowed) or exists (select from marked)))`
    : sql`true`;
  const [row] = await queryRows<VoteOutcome>(
    deps.db,
    sql`with ${target}, ${change}
        select t.participant_id, t.status, t.activity_status, t.type, t.votable, t.vote_count,
               (select vote_count from counted) as changed_count, ${seatedColumn} as seated
          from target t`,
  );
  const own = row !== undefined && Number(row.participant_id) === q.participantId;
  // Another's entry that is not approved is not the caller's to see: as if it did not exist.
  if (!row || (!own && row.status !== "approved")) throw notFound("Response", q.responseId);
  if (!row.votable) {
    throw new CajaError("VOTES_NOT_SUPPORTED", `Responses to a ${row.type} activity take no votes`, { type: row.type });
  }
  if (own) {
    throw new CajaError("OWN_RESPONSE_VOTE", "You cannot vote on your own entry", { response_id: q.responseId });
  }
  if (row.activity_status !== "active") {
    throw new CajaError(
      "ACTIVITY_NOT_ACTIVE",
      `Votes are accepted only while the activity is active (it is ${row.activity_status})`,
      { activity_id: q.activityId, status: row.activity_status },
    );
  }
  // Removed between the guard's seat check and this statement: nothing was stored.
  if (!row.seated) throw participantRemoved(q.participantId);
  if (row.changed_count !== null) await invalidateAfterResponseWrite(deps, q.activityId, q.sessionId);
  return {
    responseId: q.responseId,
    // Unchanged: the count as of this statement's snapshot (the caller's vote was already there, or not).
    voteCount: Number(row.changed_count ?? row.vote_count),
    voted: q.add,
  };
}
