import type { LeaderboardEntry, ScoredActivity } from "@caja/activities";
import { queryRows, sql, type LifecycleStatus, type ActivityId, type SessionId } from "@caja/db";
import { notFound } from "../errors";
import { cacheKeys } from "./cache-keys";
import { cachedRead, type ServiceDeps } from "./deps";
import { responsesJson, toStoredResponse, type ResponseJson } from "./results";

/** What the leaderboard cache holds per session: both views from one load (plain JSON, it may live in Redis). */
export interface LeaderboardRecord {
  sessionId: SessionId;
  /** Every scored activity of the session: the owner's view. */
  all: { activityIds: ActivityId[]; entries: LeaderboardEntry[] };
  /** Completed scored activities only: what participants see (no points of a quiz still running). */
  completed: { activityIds: ActivityId[]; entries: LeaderboardEntry[] };
  lastUpdated: string;
}

interface ActivityJson {
  id: string;
  type: string;
  config: unknown;
  status: LifecycleStatus;
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
                                  'updated_at', a.updated_at, 'responses', ${responsesJson})
                                order by a.order_index, a.created_at)
                           from activities a where a.session_id = s.id and ${typeFilter}), '[]'::json) as activities
          from sessions s where s.id = ${sessionId}`,
  );
  if (!row) return null;
  const activities = typeof row.activities === "string" ? (JSON.parse(row.activities) as ActivityJson[]) : row.activities;
  const scored = activities.map((a) => ({
    id: a.id,
    status: a.status,
    activity: { type: a.type, config: a.config, responses: a.responses.map(toStoredResponse) } satisfies ScoredActivity,
  }));
  const done = scored.filter((a) => a.status === "completed");
  const stamps = [
    new Date(row.updated_at).getTime(),
    ...activities.flatMap((a) => [Date.parse(a.updated_at), ...a.responses.map((r) => Date.parse(r.updated_at))]),
  ];
  return {
    sessionId,
    all: { activityIds: scored.map((a) => a.id), entries: deps.activityTypes.leaderboard(scored.map((a) => a.activity)) },
    completed: { activityIds: done.map((a) => a.id), entries: deps.activityTypes.leaderboard(done.map((a) => a.activity)) },
    lastUpdated: new Date(Math.max(...stamps)).toISOString(),
  };
}

/** From the polling cache; submits, activity changes and status changes in the session make it stale. */
export async function cachedLeaderboard(deps: ServiceDeps, sessionId: SessionId): Promise<LeaderboardRecord> {
  const record = await cachedRead(deps, cacheKeys.leaderboard(sessionId), (d) => loadLeaderboard(d, sessionId));
  if (!record) throw notFound("Session", sessionId);
  return record;
}
