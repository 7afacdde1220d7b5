import { countsInResults, type ActivityRegistry, type ModerationStatus, type StoredResponse } from "@caja/activities";
import { queryRows, sql, type LifecycleStatus, type ActivityId, type ParticipantId } from "@caja/db";
import { notFound } from "../errors";
import { cacheKeys } from "./cache-keys";
import { cachedRead, type ServiceDeps } from "./deps";

/**
 * What the results cache holds per activity: plain JSON (it may live in Redis), both
 * variants computed by one load, so a poll is a cache hit whoever asks.
 */
export interface ResultsRecord {
  activityId: ActivityId;
  type: string;
  status: LifecycleStatus;
  resultsVisible: boolean;
  minResponsesToShow: number | null;
  /** Responses that count in the results. */
  responseCount: number;
  lastUpdated: string;
  /** The owner's view. */
  results: unknown;
  /** The participants' view before completion, when the type redacts it (a quiz's correct answers); absent when equal. */
  redacted?: unknown;
  /** A moderated activity's last change as participants see it (participant-view.ts, rule 5); absent: the same. */
  participants?: { lastUpdated: string };
}

/** A stored response as the loader's one statement returns it (json_agg: timestamps are strings). */
export interface ResponseJson {
  id: string;
  participant_id: ParticipantId;
  nickname: string;
  data: unknown;
  status: ModerationStatus;
  votes: number;
  created_at: string;
  updated_at: string;
}

export const toStoredResponse = (r: ResponseJson): StoredResponse => ({
  id: r.id,
  participantId: Number(r.participant_id),
  nickname: r.nickname,
  data: r.data,
  status: r.status,
  votes: Number(r.votes),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/** The live (not deleted) responses of activity `a`, as a JSON array: one snapshot with the activity row. */
export const responsesJson = sql`coalesce((
  select json_agg(json_build_object(
           'id', r.id, 'participant_id', r.participant_id, 'nickname', p.nickname, 'data', r.response_data,
           'status', r.status, 'votes', r.vote_count, 'created_at', r.created_at, 'updated_at', r.updated_at))
    from user_responses r join participants p on p.id = r.participant_id
   where r.activity_id = a.id and r.deleted_at is null), '[]'::json)`;

/**
 * One statement: the activity and every live response with its author's nickname, so
 * the result is computed from one consistent snapshot. Deleted rows still move
 * `last_updated` (a removal changes the results); for participants of a moderated activity
 * only rows they could see do (participant-view.ts, rule 5).
 */
async function loadResults(deps: ServiceDeps, activityId: ActivityId): Promise<ResultsRecord | null> {
  const [row] = await queryRows<{
    type: string;
    config: unknown;
    status: LifecycleStatus;
    results_visible: boolean;
    min_responses_to_show: number | null;
    updated_at: Date | string;
    last_response_at: Date | string | null;
    last_shown_at: Date | string | null;
    responses: ResponseJson[] | string;
  }>(
    deps.db,
    sql`select a.type, a.config, a.status, a.results_visible, a.min_responses_to_show, a.updated_at,
               t.last_response_at, t.last_shown_at, ${responsesJson} as responses
          from activities a
          cross join lateral (select max(greatest(r.updated_at, r.deleted_at)) as last_response_at,
                                     max(greatest(r.updated_at, r.deleted_at)) filter (where r.ever_approved) as last_shown_at
                                from user_responses r where r.activity_id = a.id) t
         where a.id = ${activityId}`,
  );
  if (!row) return null;
  const raw = typeof row.responses === "string" ? (JSON.parse(row.responses) as ResponseJson[]) : row.responses;
  const responses = raw.map(toStoredResponse);
  const updated = new Date(row.updated_at);
  const latest = (at: Date | string | null) => (at !== null && new Date(at) > updated ? new Date(at) : updated).toISOString();
  return {
    activityId,
    type: row.type,
    status: row.status,
    resultsVisible: row.results_visible,
    minResponsesToShow: row.min_responses_to_show === null ? null : Number(row.min_responses_to_show),
    responseCount: countedResponses(deps.activityTypes, row.type, row.config, responses),
    lastUpdated: latest(row.last_response_at),
    ...variants(deps.activityTypes, row.type, row.config, responses),
    ...(deps.activityTypes.isModerated(row.type, row.config) ? { participants: { lastUpdated: latest(row.last_shown_at) } } : {}),
  };
}

/** How many of an activity's responses count in its results (`min_responses_to_show` compares this). */
export function countedResponses(registry: ActivityRegistry, type: string, config: unknown, responses: StoredResponse[]): number {
  const moderated = registry.isModerated(type, config);
  return responses.filter((r) => countsInResults(r.status, moderated)).length;
}

/** The owner's results and, for a type that redacts, the participants' view before completion. */
function variants(registry: ActivityRegistry, type: string, config: unknown, responses: StoredResponse[]) {
  const results = registry.results(type, config, responses);
  if (!registry.get(type)?.redactResult) return { results };
  return { results, redacted: registry.results(type, config, responses, { redact: true }) };
}

/** The results record from the polling cache: a poll is a hit; the database is read at most once per refresh bound. */
export async function cachedResults(deps: ServiceDeps, activityId: ActivityId): Promise<ResultsRecord> {
  const record = await cachedRead(deps, cacheKeys.activityResults(activityId), (d) => loadResults(d, activityId));
  if (!record) throw notFound("Activity", activityId);
  return record;
}
