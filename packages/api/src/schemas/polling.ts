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
    ends_at: nullableTimestamp.meta({
      description: "Types with a time limit (quiz): answers are refused from this instant, and the activity completes itself",
    }),
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

/**
 * A feed item saying "drop this id": the owner deleted the response (`reason: "deleted"`), or it is
 * no longer one the caller may see (`"hidden"`: a participant's view of another's entry that moderation
 * made pending or rejected). A follower may get one for an id it never saw (an entry that was pending
 * from the start); it drops the id if it has it. Like any item it moves the cursor, and its
 * `updated_at` is the time of the change, for pollers that track the newest `updated_at`.
 */
export const responseTombstone = z
  .object({
    id: z.uuid(),
    session_id: serialId,
    activity_id: z.uuid(),
    deleted: z.literal(true),
    reason: z.enum(["deleted", "hidden"]),
    deleted_at: timestamp.meta({ description: "When the response was deleted, or left the caller's view" }),
    updated_at: timestamp,
  })
  .meta({ id: "ResponseTombstone" });
export type ResponseTombstone = z.infer<typeof responseTombstone>;

/** The tombstone first: a response would also match it once its extra keys were stripped. */
export const feedItem = z.union([responseTombstone, userResponse]);
export type FeedItem = z.infer<typeof feedItem>;
/** A feed item that is a response (not a tombstone). */
export const isFeedResponse = (item: FeedItem): item is Exclude<FeedItem, ResponseTombstone> => !("deleted" in item);

export const responseFeed = z
  .object({
    items: z
      .array(feedItem)
      .meta({ description: "Responses, and tombstones (`deleted: true`) for ids the caller must drop; in feed order" }),
    since: timestamp,
    count: nonNegativeInt,
    next_cursor: z.string().meta({ description: "Pass as `?cursor=` to continue; opaque" }),
    has_more: z.boolean(),
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "IncrementalResponseList" });
export type ResponseFeed = z.infer<typeof responseFeed>;
