import { z } from "zod";
import { moderationStatuses, responseModes } from "./define";

/**
 * Wire shapes the server's routes return that this package produces: the API uses them as its
 * procedures' output schemas, so the shape is written once.
 */

export const responseMode = z.enum(responseModes).meta({ id: "ResponseMode" });
export const moderationStatus = z.enum(moderationStatuses).meta({ id: "ModerationStatus" });

const jsonSchemaObject = z.record(z.string(), z.unknown());

/** One entry of `GET /api/v1/activity-types`. */
export const activityTypeInfo = z
  .object({
    type: z.string(),
    description: z.string().nullable(),
    mode: responseMode,
    /** Config fields participants receive only once the activity has completed. */
    private_config_fields: z.array(z.string()),
    /** Takes part in the session leaderboard. */
    scored: z.boolean(),
    /** Participants see each other's approved entries (responses list and feed), not only their own. */
    shared_entries: z.boolean(),
    /** Participants upvote each other's approved entries (`POST`/`DELETE .../responses/{response_id}/votes`). */
    votes: z.boolean(),
    /**
     * Multiple-mode types: how many responses one participant may add to an activity that sets no
     * `max_responses_per_participant` of its own (the deployment's MAX_RESPONSES_PER_PARTICIPANT);
     * null for single-mode types. An unregistered type in multiple mode has the same default.
     */
    default_max_responses_per_participant: z.number().int().min(1).nullable(),
    /** JSON Schema (draft 2020-12) of the config as sent. */
    config_schema: jsonSchemaObject,
    /** JSON Schema of `response_data` as sent. */
    response_schema: jsonSchemaObject,
    /** JSON Schema of `results` in the results route. */
    result_schema: jsonSchemaObject,
  })
  .meta({ id: "ActivityTypeInfo" });
export type ActivityTypeInfo = z.output<typeof activityTypeInfo>;

export const leaderboardEntry = z
  .object({
    /** Competition ranking: equal points share a rank, the next rank skips (1, 1, 3). */
    rank: z.number().int().min(1),
    participant_id: z.number().int().min(1),
    nickname: z.string(),
    points: z.number(),
    /** Answers that counted, right or wrong. */
    answers: z.number().int().nonnegative(),
  })
  .meta({ id: "LeaderboardEntry" });
export type LeaderboardEntry = z.output<typeof leaderboardEntry>;
