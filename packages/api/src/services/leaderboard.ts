import type { LeaderboardEntry, ScoredActivity } from "@caja/activities";
import { queryRows, sql, type LifecycleStatus, type ActivityId, type SessionId } from "@caja/db";
import { notFound } from "../errors";
import { cacheKeys } from "./cache-keys";
import { cachedRead, type ServiceDeps } from "./deps";
import { pointsShown } from "./participant-view";
import { countedResponses, responsesJson, toStoredResponse, type ResponseJson } from "./results";

/** One view of a session's leaderboard: the scored activities whose points it counts. */
export interface LeaderboardView {
  activityIds: ActivityId[];
  entries: LeaderboardEntry[];
  lastUpdated: string;
}

/** What the leaderboard cache holds per session: both views from one load (plain JSON, it may live in Redis). */
export interface LeaderboardRecord {
  sessionId: SessionId;
  /** Every scored activity of the session: the owner's view. */
  all: LeaderboardView;
  /** Those whose points participants may see (`pointsShown`, participant-view.ts): completed, results shown. */
  participants: LeaderboardView;
}

interface ActivityJson {
  id: string;
  type: string;
  config: unknown;
  status: LifecycleStatus;
  results_visible: boolean;
  min_responses_to_show: number | null;
  updated_at: string;
  responses: ResponseJson[];
}

/**
 * One statement: the session's activities of scored types (the registry's `score` hook:
 * the quiz, and any deployer type that has one), each with its live responses.
 */
async function loadLeaderboard(deps: ServiceDeps, sessionId: SessionId): Promise<LeaderboardRecord | null> {
  const scoredTypes = deps.activityTypes
    .list()
    .filter((t) => t.scored)
    .map((t) => t.type);
  const typeFilter =
    scoredTypes.length === 0
      ? sql`false`
      : sql`a.type in (${sql.join(
          scoredTypes.map((t) => sql`${t}`),
          sql`, `,
        )})`;
  const [row] = await queryRows<{ updated_at: Date | string; activities: ActivityJson[] | string }>(
    deps.db,
    sql`select s.updated_at,
               coalesce((select json_agg(json_build_object(
                                  'id', a.id, 'type', a.type, 'config', a.config, 'status', a.status,
                                  'results_visible', a.results_visible, 'min_responses_to_show', a.min_responses_to_show,
                                  'updated_at', a.updated_at, 'responses', ${responsesJson})
                                order by a.order_index, a.created_at)
                           from activities a where a.session_id = s.id and ${typeFilter}), '[]'::json) as activities
          from sessions s where s.id = ${sessionId}`,
  );
  if (!row) return null;
  const activities = typeof row.activities === "string" ? (JSON.parse(row.activities) as ActivityJson[]) : row.activities;
  const scored = activities.map((a) => {
    const responses = a.responses.map(toStoredResponse);
    const gate = {
      activityId: a.id,
      status: a.status,
      resultsVisible: a.results_visible,
      minResponsesToShow: a.min_responses_to_show === null ? null : Number(a.min_responses_to_show),
      responseCount: countedResponses(deps.activityTypes, a.type, a.config, responses),
    };
    return { a, shown: pointsShown(gate), activity: { type: a.type, config: a.config, responses } satisfies ScoredActivity };
  });
  // Every scored activity's own changes (status, reveal) are public; its answers only where its points are shown.
  const changed = [new Date(row.updated_at).getTime(), ...activities.map((a) => Date.parse(a.updated_at))];
  const view = (counted: typeof scored): LeaderboardView => ({
    activityIds: counted.map((s) => s.a.id),
    entries: deps.activityTypes.leaderboard(counted.map((s) => s.activity)),
    lastUpdated: new Date(
      Math.max(...changed, ...counted.flatMap((s) => s.a.responses.map((r) => Date.parse(r.updated_at)))),
    ).toISOString(),
  });
  return { sessionId, all: view(scored), participants: view(scored.filter((s) => s.shown)) };
}

/** From the polling cache; submits, activity changes and status changes in the session make it stale. */
export async function cachedLeaderboard(deps: ServiceDeps, sessionId: SessionId): Promise<LeaderboardRecord> {
  const record = await cachedRead(deps, cacheKeys.leaderboard(sessionId), (d) => loadLeaderboard(d, sessionId));
  if (!record) throw notFound("Session", sessionId);
  return record;
}
