import { z } from "zod";
import {
  activityId,
  activityLifecycle,
  limitParam,
  nonNegativeInt,
  nullableTimestamp,
  serialId,
  sessionId,
  sessionLifecycle,
  timestamp,
} from "./common";
import { userResponse } from "./response";

const pollIntervalMs = nonNegativeInt.meta({
  description: "How long the client should wait before polling again; grows under load",
});

export const sessionStatusInput = z.object({ session_id: sessionId });

export const sessionStatus = z
  .object({
    session_id: serialId,
    status: sessionLifecycle,
    current_activity_id: z.uuid().nullable(),
    participant_count: nonNegativeInt,
    active_participant_count: nonNegativeInt.meta({ description: "Participants whose own requests arrived in the last 30 s" }),
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "SessionStatusResponse" });
export type SessionStatus = z.infer<typeof sessionStatus>;

export const activityStatusInput = z.object({ session_id: sessionId, activity_id: activityId });

export const activityStatus = z
  .object({
    activity_id: z.uuid(),
    session_id: serialId,
    status: activityLifecycle,
    response_count: nonNegativeInt,
    last_response_at: nullableTimestamp,
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "ActivityStatusResponse" });
export type ActivityStatus = z.infer<typeof activityStatus>;

export const responseFeedInput = z.object({
  session_id: sessionId,
  activity_id: activityId,
  timestamp: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "ISO-8601 timestamp (or epoch milliseconds); responses created or updated after it" }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "`next_cursor` of the previous page: continues gap-free from there (wins over timestamp)" }),
  limit: limitParam(1000, 100),
});

export const responseFeed = z
  .object({
    items: z.array(userResponse),
    since: timestamp,
    count: nonNegativeInt,
    next_cursor: z.string().meta({ description: "Pass as `?cursor=` to continue; opaque" }),
    has_more: z.boolean(),
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "IncrementalResponseList" });
export type ResponseFeed = z.infer<typeof responseFeed>;
