import { sql, type SQL, type ActivityId, type ParticipantId } from "@caja/db";
import type { ActivityRegistry } from "@caja/activities";

/**
 * Who sees which responses of an activity (list and feed). The owner sees every
 * response with its status. A participant sees its own (any status) and, only in
 * an activity whose type shares entries (qa), the approved ones of others: a
 * poll's or a quiz's answers stay private. Deleted responses are seen by nobody;
 * the feed tells followers about them with a tombstone.
 *
 * `participantId` undefined means the owner. The fragments name user_responses'
 * columns unqualified, for statements that read that one table.
 */

/** True when the activity's type shares entries. Uncorrelated, so evaluated once per statement. */
function sharedEntries(registry: ActivityRegistry, activityId: ActivityId): SQL {
  // Type names are [a-z0-9_] (typeNamePattern): a comma-separated list is unambiguous.
  const types = registry.typesWith("sharedEntries").join(",");
  return sql`exists (select 1 from activities a
                      where a.id = ${activityId} and a.type = any(string_to_array(${types}::text, ',')))`;
}

/** The rows the feed may mention to the viewer: visible ones, and those a tombstone is owed for. */
export function feedScope(registry: ActivityRegistry, activityId: ActivityId, participantId?: ParticipantId): SQL {
  if (participantId === undefined) return sql`true`;
  return sql`(participant_id = ${participantId} or ${sharedEntries(registry, activityId)})`;
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
