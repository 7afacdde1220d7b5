import type { ActivityRegistry } from "@caja/activities";
import { sql, type SQL, type ActivityId, type LifecycleStatus, type ParticipantId } from "@caja/db";
import { CajaError } from "../errors";
import type { ResultsRecord } from "./results";
import type { ActivityStatusRecord } from "./status";

/**
 * What a participant may see of an activity: the one rule, in this module. The owner (the
 * admin who created the session) sees everything; every read path a participant can call
 * answers it through the functions below.
 *
 * 1. A draft: nothing (the guard answers 404, `seesDrafts`).
 * 2. Its config without the type's private fields, and no `private_config`, until it
 *    completes (`privateConfigShown`, applied by `toActivityWire` to every activity sent).
 * 3. Responses: its own, in any status; where the type shares entries (qa), others' while
 *    approved. An entry that leaves its view after it could see it (approved once,
 *    `ever_approved`) is withdrawn with a tombstone; one it never could see (pending from
 *    the start, then maybe rejected or deleted) leaves no trace: not in the feed, the list,
 *    a count or a time.
 * 4. What is computed from everyone's answers (results, a quiz's points on the leaderboard):
 *    only while shown, that is `results_visible` and at least `min_responses_to_show`
 *    responses that count (approved ones where the activity is moderated); redacted until
 *    it completes; a quiz's points once it has completed.
 * 5. Counts and times in its status: those of the responses that count, so in a moderated
 *    activity no pending or rejected entry moves them.
 *
 * `apps/server/test/participant-view.test.ts` calls every participant read procedure, over
 * REST and tRPC, under each of these settings.
 */

/** Rule 2: whether the viewer gets an activity's private config (`toActivityWire`). */
export const privateConfigShown = (owner: boolean, status: LifecycleStatus): boolean => owner || status === "completed";

/** What decides whether an activity's results are shown to participants (a results record or a leaderboard row). */
export interface ResultsGate {
  activityId: ActivityId;
  resultsVisible: boolean;
  minResponsesToShow: number | null;
  /** Responses that count in the results. */
  responseCount: number;
}

/** Whether participants may see the results now (`results_visible` and the threshold). */
const resultsShown = (gate: ResultsGate): boolean =>
  gate.resultsVisible && (gate.minResponsesToShow === null || gate.responseCount >= gate.minResponsesToShow);

/** Null when participants may see the results; otherwise the refusal they get. */
export function resultsRefusal(gate: ResultsGate): CajaError | null {
  if (resultsShown(gate)) return null;
  if (!gate.resultsVisible) {
    return new CajaError("RESULTS_HIDDEN", "The facilitator has not revealed these results", {
      reason: "results_hidden",
      activity_id: gate.activityId,
    });
  }
  const threshold = gate.minResponsesToShow;
  if (threshold !== null && gate.responseCount < threshold) {
    return new CajaError("RESULTS_HIDDEN", `Results are shown once ${threshold} responses have been given`, {
      reason: "min_responses_to_show",
      min_responses_to_show: threshold,
      activity_id: gate.activityId,
    });
  }
  return null;
}

/** A scored activity's points reach the participants' leaderboard once it completed, and while its results are shown. */
export const pointsShown = (gate: ResultsGate & { status: LifecycleStatus }): boolean =>
  gate.status === "completed" && resultsShown(gate);

/** The results route's answer for one viewer: what it may see, and when that last changed. */
export interface ResultsView {
  results: unknown;
  lastUpdated: string;
}

/**
 * Owners: everything, always. Participants: 403 RESULTS_HIDDEN unless shown (rule 4), the
 * redacted view until the activity completes. `completed` is also taken from the status
 * record the guard read: completion is final, so either source saying so is true.
 */
export function resultsFor(record: ResultsRecord, viewer: { owner: boolean; completed: boolean }): ResultsView {
  if (viewer.owner) return { results: record.results, lastUpdated: record.lastUpdated };
  const refusal = resultsRefusal(record);
  if (refusal) throw refusal;
  const completed = viewer.completed || record.status === "completed";
  return {
    results: completed || record.redacted === undefined ? record.results : record.redacted,
    lastUpdated: record.participants?.lastUpdated ?? record.lastUpdated,
  };
}

/** An activity's status as the viewer sees it: in a moderated activity participants get the counts of rule 5. */
export function activityStatusFor(record: ActivityStatusRecord, owner: boolean): ActivityStatusRecord {
  return owner || !record.participants ? record : { ...record, ...record.participants };
}

/** True when the activity's type shares entries. Uncorrelated, so evaluated once per statement. */
function sharedEntries(registry: ActivityRegistry, activityId: ActivityId): SQL {
  // Type names are [a-z0-9_] (typeNamePattern): a comma-separated list is unambiguous.
  const types = registry.typesWith("sharedEntries").join(",");
  return sql`exists (select 1 from activities a
                      where a.id = ${activityId} and a.type = any(string_to_array(${types}::text, ',')))`;
}

/*
 * Rule 3 in SQL, for statements that read user_responses alone (columns unqualified).
 * `participantId` undefined is the owner.
 */

/** The rows the feed may mention to the viewer: those it sees, and those it could see once (a tombstone is owed). */
export function feedScope(registry: ActivityRegistry, activityId: ActivityId, participantId?: ParticipantId): SQL {
  if (participantId === undefined) return sql`true`;
  return sql`(participant_id = ${participantId} or (ever_approved and ${sharedEntries(registry, activityId)}))`;
}

/** Of the rows in `feedScope`, those the viewer sees as responses; the others are tombstones. */
export function visibleTo(participantId?: ParticipantId): SQL {
  if (participantId === undefined) return sql`(deleted_at is null)`;
  return sql`(deleted_at is null and (participant_id = ${participantId} or status = 'approved'))`;
}

/** The rows a viewer's response list holds. */
export function listedFor(registry: ActivityRegistry, activityId: ActivityId, participantId?: ParticipantId): SQL {
  return sql`(${feedScope(registry, activityId, participantId)} and ${visibleTo(participantId)})`;
}

/**
 * Rule 5's counts and times of an activity, in one statement over its rows: responses that
 * count (approved, live), the newest of them, and the last change to any entry participants
 * could see. Read only for moderated activities (the others' counts are the owner's).
 */
export const participantCountsSql = (activityId: ActivityId): SQL =>
  sql`select count(*) filter (where status = 'approved' and deleted_at is null) as response_count,
             max(created_at) filter (where status = 'approved' and deleted_at is null) as last_response_at,
             max(greatest(updated_at, deleted_at)) filter (where ever_approved) as last_change
        from user_responses where activity_id = ${activityId}`;

/** Registered types that may be moderated: only their config needs reading to know (rule 5). */
export const moderatableTypes = (registry: ActivityRegistry): string[] =>
  registry
    .list()
    .map((t) => t.type)
    .filter((type) => registry.get(type)?.moderated !== undefined);
