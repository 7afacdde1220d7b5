import { cachedActivityDefinition } from "./activity-definition";
import type { ServiceDeps } from "./deps";
import type { ActivityId, ParticipantId } from "@caja/db";

/** Keeps or withholds an entry's author, for one viewer of one activity. */
export type AuthorFilter = <T extends { participant_id: ParticipantId | null }>(item: T) => T;

const keep: AuthorFilter = (item) => item;

/**
 * In an anonymous activity (a qa with `anonymous: true`) a participant does not learn who
 * wrote others' entries: their `participant_id` is null (ids are serial, so an id would
 * point at a join order). Its own entries keep it; the owner sees every author.
 */
export async function authorFilter(deps: ServiceDeps, activityId: ActivityId, viewer?: ParticipantId): Promise<AuthorFilter> {
  if (viewer === undefined) return keep;
  const definition = await cachedActivityDefinition(deps, activityId);
  if (!definition || !deps.activityTypes.isAnonymous(definition.type, definition.config)) return keep;
  return (item) => (item.participant_id === viewer ? item : { ...item, participant_id: null });
}
