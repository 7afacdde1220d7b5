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
  toIso,
  uuidId,
} from "./common";
import { toUserResponseWire, userResponse, type UserResponse } from "./response";
import { isFeedTombstone, type FeedEntry, type FeedPage, type FeedTombstone } from "../services/feed";
import type { ActivityStatusRecord, SessionStatusRecord } from "../services/status";

const pollIntervalMs = nonNegativeInt.meta({
  description: "How long the client should wait before polling again; grows under load",
});

export const sessionStatusInput = z.object({ session_id: sessionId });

export const sessionStatus = z
  .object({
    session_id: serialId,
    status: sessionLifecycle,
    current_activity_id: uuidId.nullable(),
    participant_count: nonNegativeInt,
    active_participant_count: nonNegativeInt.meta({ description: "Participants whose own requests arrived in the last 30 s" }),
    last_updated: timestamp,
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "SessionStatusResponse" });
export type SessionStatus = z.infer<typeof sessionStatus>;

export const toSessionStatusWire = (record: SessionStatusRecord, pollInterval: number): SessionStatus => ({
  session_id: record.id,
  status: record.status,
  current_activity_id: record.currentActivityId,
  participant_count: record.participantCount,
  active_participant_count: record.activeParticipantCount,
  last_updated: record.lastUpdated,
  poll_interval_ms: pollInterval,
});

export const activityStatusInput = z.object({ session_id: sessionId, activity_id: activityId });

export const activityStatus = z
  .object({
    activity_id: uuidId,
    session_id: serialId,
    status: activityLifecycle,
    response_count: nonNegativeInt.meta({
      description:
        "Live responses; participants of a moderated activity: its approved entries (pending and rejected ones are not counted)",
    }),
    last_response_at: nullableTimestamp.meta({
      description: "When the newest response arrived; participants of a moderated activity: the newest approved entry",
    }),
    last_updated: timestamp,
    ends_at: nullableTimestamp.meta({
      description: "Types with a time limit (quiz): answers are refused from this instant, and the activity completes itself",
    }),
    poll_interval_ms: pollIntervalMs,
  })
  .meta({ id: "ActivityStatusResponse" });
export type ActivityStatus = z.infer<typeof activityStatus>;

export const toActivityStatusWire = (record: ActivityStatusRecord, pollInterval: number): ActivityStatus => ({
  activity_id: record.id,
  session_id: record.sessionId,
  status: record.status,
  response_count: record.responseCount,
  last_response_at: record.lastResponseAt,
  last_updated: record.lastUpdated,
  ends_at: record.endsAt ?? null,
  poll_interval_ms: pollInterval,
});

/** The feed's `?limit=`: at most `max`, `fallback` when not given. */
export const feedPageLimits = { max: 1000, fallback: 100 } as const;

export const responseFeedInput = z.object({
  session_id: sessionId,
  activity_id: activityId,
  timestamp: z.string().min(1).max(64).meta({
    description:
      "ISO-8601 timestamp (or epoch milliseconds); responses created or updated after it. The newest `updated_at` a poller has seen is a gap-free position",
  }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "`next_cursor` of the previous page: continues gap-free from there (wins over timestamp)" }),
  limit: limitParam(feedPageLimits.max, feedPageLimits.fallback),
});

/**
 * A feed item saying "drop this id": the owner deleted the response (`reason: "deleted"`), or it is
 * no longer one the caller may see (`"hidden"`: a participant's view of another's entry that moderation
 * made pending or rejected). Participants get one only for their own entries and for others' they
 * could see (approved once); an entry never approved leaves them no trace. A follower that started
 * after the change may still get one for an id it never had: it drops the id if it has it. Like any
 * item it moves the cursor, and its `updated_at` is the time of the change, for pollers that track
 * the newest `updated_at`.
 */
export const responseTombstone = z
  .object({
    id: uuidId,
    session_id: serialId,
    activity_id: uuidId,
    deleted: z.literal(true),
    reason: z.enum(["deleted", "hidden"]),
    deleted_at: timestamp.meta({ description: "When the response was deleted, or left the caller's view" }),
    updated_at: timestamp,
  })
  .meta({ id: "ResponseTombstone" });
export type ResponseTombstone = z.infer<typeof responseTombstone>;

export function toResponseTombstoneWire(entry: FeedTombstone): ResponseTombstone {
  return {
    id: entry.id,
    session_id: entry.sessionId,
    activity_id: entry.activityId,
    deleted: true,
    reason: entry.deletedAt ? "deleted" : "hidden",
    // A moderation change is the row's last write: its updated_at is when the entry left the caller's view.
    deleted_at: toIso(entry.deletedAt ?? entry.updatedAt),
    updated_at: toIso(entry.updatedAt),
  };
}

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

/**
 * A feed page as sent: each entry mapped once, a response through `toResponse` (which may
 * withhold its author, see services/anonymity.ts), a tombstone as is.
 */
export function toResponseFeedWire(
  page: FeedPage,
  pollInterval: number,
  toResponse: (row: Exclude<FeedEntry, FeedTombstone>) => UserResponse = toUserResponseWire,
): ResponseFeed {
  return {
    items: page.entries.map((entry) => (isFeedTombstone(entry) ? toResponseTombstoneWire(entry) : toResponse(entry))),
    since: toIso(page.since),
    count: page.entries.length,
    next_cursor: page.nextCursor,
    has_more: page.hasMore,
    poll_interval_ms: pollInterval,
  };
}
