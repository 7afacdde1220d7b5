import { z } from "zod";
import { activityId, lifecycleStatus, limitParam, nullableTimestamp, sessionId, timestamp } from "./common";
import { userResponse } from "./response";

const pollIntervalMs = z
  .number()
  .int()
  .meta({ description: "How long the client should wait before polling again; grows under load" });

export const sessionStatusInput = z.object({ session_id: sessionId });

export const sessionStatus = z
  .object({
    session_id: z.number().int(),
    status: lifecycleStatus,
    current_activity_id: z.uuid().nullable(),
    participant_count: z.number().int(),
    active_participant_count: z.number().int().meta({ description: "Participants whose own requests arrived in the last 30 s" }),
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "SessionStatus" });
export type SessionStatus = z.infer<typeof sessionStatus>;

export const activityStatusInput = z.object({ session_id: sessionId, activity_id: activityId });

export const activityStatus = z
  .object({
    activity_id: z.uuid(),
    session_id: z.number().int(),
    status: lifecycleStatus,
    response_count: z.number().int(),
    last_response_at: nullableTimestamp,
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "ActivityStatus" });
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
    count: z.number().int(),
    next_cursor: z.string().meta({ description: "Pass as `?cursor=` to continue; opaque" }),
    has_more: z.boolean(),
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "ResponseFeed" });
export type ResponseFeed = z.infer<typeof responseFeed>;
