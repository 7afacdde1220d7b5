import { useRef } from "react";
import {
  skipToken,
  useQuery,
  useQueryClient,
  type UndefinedInitialDataOptions,
  type UseQueryResult,
} from "@tanstack/react-query";
import type { CajaClientError } from "../errors";
import { mergeFeedItems } from "../feed";
import type { PollPolicy } from "../polling";
import type { FeedResponse } from "../types";
import { pollingDefaults, splitPollPolicy } from "./polling-defaults";
import { useActivityStatus } from "./status-hooks";
import { useTRPC, useTRPCClient } from "./trpc-context";

/** Everything the feed has delivered so far for one activity. */
export interface ResponseFeedState {
  /** The newest version of each response, in the order they first arrived; deleted (or hidden) ones are dropped. */
  items: readonly FeedResponse[];
  /** Where the next poll continues. */
  next_cursor: string;
  poll_interval_ms: number;
  /** The activity was completed and this drain holds its last answers: nothing more will arrive. */
  final: boolean;
}

export type ResponseFeedOptions = PollPolicy &
  Omit<
    UndefinedInitialDataOptions<ResponseFeedState, CajaClientError, ResponseFeedState>,
    "queryKey" | "queryFn" | "queryHash" | "queryHashFn"
  > & {
    /** Only responses written after this (default: all of them). */
    since?: string | Date;
    /** Responses per request while draining (default 100, at most 1000). */
    pageSize?: number;
  };

const BEGINNING = "1970-01-01T00:00:00.000Z";
/**
 * How long after completion the feed keeps draining when the count cannot match (a caller
 * who may not see every answer never will); long transactions on the database are the limit.
 */
const COMPLETION_GRACE_MS = 10_000;

/**
 * The live list of an activity's responses. Each poll follows `next_cursor` and drains
 * `has_more` pages at once; an edited response replaces its earlier version. A different
 * activity starts a new list. Polling stops once the activity is completed and a drain that
 * began after that holds every response the status counts (it watches the activity's status,
 * shared with `useActivityStatus`): the feed shows a row only once every older transaction on
 * the database has ended, so an answer committed just before completion can trail it by a poll
 * or two. When the count cannot match (a participant who sees only some answers, a `since`),
 * polling stops with the first drain 10 s after completion was seen.
 */
export function useResponseFeed(
  sessionId: number | null | undefined,
  activityId: string | null | undefined,
  options: ResponseFeedOptions = {},
): UseQueryResult<ResponseFeedState, CajaClientError> {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [policy, { since, pageSize = 100, ...query }] = splitPollPolicy(options);
  const timestamp = since === undefined ? BEGINNING : typeof since === "string" ? since : since.toISOString();

  // Watched only to learn of completion; its result is not read, so it never re-renders us.
  useActivityStatus(sessionId, activityId, { ...policy, enabled: query.enabled !== false });

  const ids = sessionId == null || activityId == null ? null : { session_id: sessionId, activity_id: activityId };
  // Under the procedure's path, so `trpc.response.feed.pathFilter()` invalidates it too.
  const queryKey = [...trpc.response.feed.pathKey(), { input: { ...ids, timestamp }, type: "accumulated" }] as const;
  const completionSeenAt = useRef(new Map<string, number>());

  const drain = async ({ signal }: { signal: AbortSignal }): Promise<ResponseFeedState> => {
    if (!ids) throw new Error("useResponseFeed: no activity");
    const known = queryClient.getQueryData<ResponseFeedState>(queryKey);
    const activity = queryClient.getQueryData(trpc.activity.status.queryKey(ids));
    const completed = activity?.status === "completed";
    const startedAt = Date.now();
    if (completed && !completionSeenAt.current.has(ids.activity_id)) completionSeenAt.current.set(ids.activity_id, startedAt);
    let items: readonly FeedResponse[] = known?.items ?? [];
    let cursor = known?.next_cursor;
    for (;;) {
      const page = await client.response.feed.query({ ...ids, timestamp, cursor, limit: pageSize }, { signal });
      items = mergeFeedItems(items, page.items);
      cursor = page.next_cursor;
      if (page.has_more) continue;
      const holdsEveryAnswer = timestamp === BEGINNING && items.length >= (activity?.response_count ?? Infinity);
      const graceOver = startedAt - (completionSeenAt.current.get(ids.activity_id) ?? startedAt) >= COMPLETION_GRACE_MS;
      const final = completed && (holdsEveryAnswer || graceOver);
      return { items, next_cursor: cursor, poll_interval_ms: page.poll_interval_ms, final };
    }
  };

  return useQuery({
    queryKey,
    queryFn: ids ? drain : skipToken,
    ...pollingDefaults<ResponseFeedState>(policy, (state) => state.final),
    ...query,
  });
}
