import { z } from "zod";
import { activityTypeInfo, leaderboardEntry } from "@caja/activities";
import type { LeaderboardRecord, LeaderboardView } from "../services/leaderboard";
import type { ResultsView } from "../services/participant-view";
import type { ResultsRecord } from "../services/results";
import { activityId, nonNegativeInt, serialId, sessionId, timestamp, uuidId } from "./common";

const pollIntervalMs = nonNegativeInt.meta({
  description: "How long the client should wait before polling again; grows under load",
});

export const activityResultsInput = z.object({ session_id: sessionId, activity_id: activityId });

/**
 * `results` is whatever the activity type's aggregator returns (its JSON Schema is the
 * type's `result_schema` in `GET /api/v1/activity-types`). It is not re-validated on the
 * way out: the registry produced it, and a poll must not pay a parse of a large result.
 */
const results = z.unknown().meta({
  description:
    "The type's result, computed from every stored response that counts: `PollResult` `{ options: [{ option, count, percentage }], total_voters }`, " +
    "`WordCloudResult`, `RatingResult`, `QaResult`, `OpenTextResult`, `QuizResult` (participants get `correct: null` and " +
    "`correct_answers: null` until the quiz completes), or for an unregistered type `GenericResult` " +
    "`{ response_count, participants_answered }`. Each type's JSON Schema is its `result_schema` in `GET /api/v1/activity-types`. " +
    "The text types list only their latest (`OpenTextResult`) or top (`QaResult`, `WordCloudResult`) entries, with exact totals and " +
    "`truncated: true` when some are left out: read them all through the paginated response list or the feed.",
});

export const activityResults = z
  .object({
    activity_id: uuidId,
    type: z.string(),
    response_count: nonNegativeInt.meta({
      description: "Responses that count in the results (not deleted; approved where the activity is moderated)",
    }),
    results,
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "ActivityResults" });
export type ActivityResults = z.infer<typeof activityResults>;

/** `view`: what the caller may see (`resultsFor`), its `results` passed through as is. */
export const toActivityResultsWire = (record: ResultsRecord, view: ResultsView, pollInterval: number): ActivityResults => ({
  activity_id: record.activityId,
  type: record.type,
  response_count: record.responseCount,
  results: view.results,
  last_updated: view.lastUpdated,
  poll_interval_ms: pollInterval,
});

export const leaderboardInput = z.object({ session_id: sessionId });

export const leaderboard = z
  .object({
    session_id: serialId,
    entries: z.array(leaderboardEntry),
    /** Scored (quiz) activities whose answers are counted here. */
    activity_ids: z.array(uuidId),
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "Leaderboard" });
export type Leaderboard = z.infer<typeof leaderboard>;

/** `view`: the owner's (`record.all`) or the participants' (`record.participants`). */
export const toLeaderboardWire = (record: LeaderboardRecord, view: LeaderboardView, pollInterval: number): Leaderboard => ({
  session_id: record.sessionId,
  entries: view.entries,
  activity_ids: view.activityIds,
  last_updated: view.lastUpdated,
  poll_interval_ms: pollInterval,
});

export const activityTypeListInput = z.object({});

export const activityTypeList = z.object({ items: z.array(activityTypeInfo) }).meta({ id: "ActivityTypeList" });
