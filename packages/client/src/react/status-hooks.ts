import { skipToken, useQuery, type UndefinedInitialDataOptions, type UseQueryResult } from "@tanstack/react-query";
import type { TRPCQueryBaseOptions, TRPCQueryKey } from "@trpc/tanstack-react-query";
import type { CajaClientError } from "../errors";
import type { PollPolicy } from "../polling";
import type { ActivityStatus, SessionStatus } from "../types";
import { pollingDefaults, splitPollPolicy } from "./polling-defaults";
import { useTRPC } from "./trpc-context";

/**
 * Options of a polling hook: the Caja knobs (`intervalMs`, `stopWhenCompleted`, ...) plus any
 * TanStack Query option, which wins over the polling defaults (e.g. your own `refetchInterval`).
 */
export type PollingQueryOptions<TOutput> = PollPolicy &
  Omit<
    UndefinedInitialDataOptions<TOutput, CajaClientError, TOutput, TRPCQueryKey>,
    "queryKey" | "queryFn" | "queryHash" | "queryHashFn"
  > &
  TRPCQueryBaseOptions;

const isCompleted = (status: { status: string }) => status.status === "completed";

/**
 * Polls `session.status` (participant count, current activity). A nullish id waits
 * (e.g. until a join returned the session).
 */
export function useSessionStatus(
  sessionId: number | null | undefined,
  options: PollingQueryOptions<SessionStatus> = {},
): UseQueryResult<SessionStatus, CajaClientError> {
  const trpc = useTRPC();
  const [policy, query] = splitPollPolicy(options);
  const input = sessionId == null ? skipToken : { session_id: sessionId };
  return useQuery(trpc.session.status.queryOptions(input, { ...pollingDefaults<SessionStatus>(policy, isCompleted), ...query }));
}

/** Polls `activity.status` (response count, last response). Nullish ids wait. */
export function useActivityStatus(
  sessionId: number | null | undefined,
  activityId: string | null | undefined,
  options: PollingQueryOptions<ActivityStatus> = {},
): UseQueryResult<ActivityStatus, CajaClientError> {
  const trpc = useTRPC();
  const [policy, query] = splitPollPolicy(options);
  const input = sessionId == null || activityId == null ? skipToken : { session_id: sessionId, activity_id: activityId };
  return useQuery(
    trpc.activity.status.queryOptions(input, { ...pollingDefaults<ActivityStatus>(policy, isCompleted), ...query }),
  );
}
