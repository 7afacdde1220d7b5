import type { ResponseMode } from "@caja/activities";
import { queryRows, sql, type ActivityId } from "@caja/db";
import { cacheKeys } from "./cache-keys";
import { cachedRead, type ServiceDeps } from "./deps";

/**
 * What a submission is validated against. Cached (plain JSON, so it may live in Redis) so
 * that a submission costs one statement: the statement compares the row with this
 * definition and writes nothing when they differ (`submitResponse` then reloads it
 * past the cache), so a stale entry can delay an answer by one round trip but never
 * let one through against an old config or mode.
 */
export interface ActivityDefinition {
  type: string;
  config: Record<string, unknown>;
  responseMode: ResponseMode;
  maxResponsesPerParticipant: number | null;
}

export async function loadActivityDefinition({ db }: ServiceDeps, activityId: ActivityId): Promise<ActivityDefinition | null> {
  const [row] = await queryRows<{
    type: string;
    config: Record<string, unknown>;
    response_mode: ResponseMode;
    max_responses_per_participant: number | null;
  }>(db, sql`select type, config, response_mode, max_responses_per_participant from activities where id = ${activityId}`);
  if (!row) return null;
  return {
    type: row.type,
    config: row.config,
    responseMode: row.response_mode,
    maxResponsesPerParticipant: row.max_responses_per_participant === null ? null : Number(row.max_responses_per_participant),
  };
}

export function cachedActivityDefinition(deps: ServiceDeps, activityId: ActivityId): Promise<ActivityDefinition | null> {
  return cachedRead(deps, cacheKeys.activityDefinition(activityId), (d) => loadActivityDefinition(d, activityId));
}
