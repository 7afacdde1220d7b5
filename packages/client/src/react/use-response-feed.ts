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
  /** The activity was already completed when this was read: nothing more will arrive. */
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
 * The live list of an activity's responses. Each poll follows `next_cursor` and drains
 * `has_more` pages at once; an edited response replaces its earlier version. A different
 * activity starts a new list. Polling stops after the first drain that began once the
 * activity was completed (it watches the activity's status, shared with `useActivityStatus`).
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

  const drain = async ({ signal }: { signal: AbortSignal }): Promise<ResponseFeedState> => {
    if (!ids) throw new Error("useResponseFeed: no activity");
    const known = queryClient.getQueryData<ResponseFeedState>(queryKey);
    const activity = queryClient.getQueryData(trpc.activity.status.queryKey(ids));
    const final = activity?.status === "completed";
    let items: readonly FeedResponse[] = known?.items ?? [];
    let cursor = known?.next_cursor;
    for (;;) {
      const page = await client.response.feed.query({ ...ids, timestamp, cursor, limit: pageSize }, { signal });
      items = mergeFeedItems(items, page.items);
      cursor = page.next_cursor;
      if (!page.has_more) return { items, next_cursor: cursor, poll_interval_ms: page.poll_interval_ms, final };
    }
  };

  return useQuery({
    queryKey,
    queryFn: ids ? drain : skipToken,
    ...pollingDefaults<ResponseFeedState>(policy, (state) => state.final),
    ...query,
  });
}
