import {
  skipToken,
  useQuery,
  useQueryClient,
  type UndefinedInitialDataOptions,
  type UseQueryResult,
} from "@tanstack/react-query";
import { cajaErrorCode, type CajaClientError } from "../errors";
import { pollIntervalFor, type PollPolicy } from "../polling";
import type { ActivityResults, BuiltInActivityTypeName } from "../types";
import { pollingDefaults, splitPollPolicy } from "./polling-defaults";
import { useTRPC, useTRPCClient } from "./trpc-context";

/**
 * What a participant gets while the owner hides the results or too few responses exist
 * (the server's 403 `RESULTS_HIDDEN`): an answer, not an error, so the hook keeps polling at
 * the normal interval and shows the results as soon as they are revealed.
 */
export interface HiddenResults {
  hidden: true;
  activity_id: string;
  poll_interval_ms: number;
}

/** The results hook's data: the results (`hidden: false`) or the fact that they are hidden. */
export type ResultsAnswer<T extends string = BuiltInActivityTypeName> = (ActivityResults<T> & { hidden: false }) | HiddenResults;

/**
 * Options of `useResults`: the Caja polling knobs plus TanStack Query options. Results keep
 * polling after the activity completes, since moderation and deletion can still change them
 * (an unchanged answer costs a 304); `enabled: false` or unmounting stops them.
 */
export type ResultsOptions<T extends string = BuiltInActivityTypeName> = Omit<PollPolicy, "stopWhenCompleted"> &
  Omit<
    UndefinedInitialDataOptions<ResultsAnswer<T>, CajaClientError, ResultsAnswer<T>>,
    "queryKey" | "queryFn" | "queryHash" | "queryHashFn"
  >;

/**
 * Polls `activity.results` at the server's `poll_interval_ms`. Typed by the activity's type:
 * `useResults<"poll">(sessionId, activityId).data` has a poll's `results.options`; without a
 * type argument `data` is a union to narrow with `data.type`. Hidden results are
 * `data.hidden === true`. Nullish ids wait.
 */
export function useResults<T extends string = BuiltInActivityTypeName>(
  sessionId: number | null | undefined,
  activityId: string | null | undefined,
  options: ResultsOptions<T> = {},
): UseQueryResult<ResultsAnswer<T>, CajaClientError> {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [policy, query] = splitPollPolicy(options);
  const ids = sessionId == null || activityId == null ? null : { session_id: sessionId, activity_id: activityId };
  // tRPC's own key for the procedure, so `trpc.activity.results.queryFilter(ids)` invalidates it.
  const queryKey = trpc.activity.results.queryKey(ids ?? undefined) as unknown as readonly unknown[];

  const fetchResults = async ({ signal }: { signal: AbortSignal }): Promise<ResultsAnswer<T>> => {
    if (!ids) throw new Error("useResults: no activity");
    try {
      const answer = await client.activity.results.query(ids, { signal });
      // The server does not know the caller's type argument; the caller vouches for it.
      return { ...answer, hidden: false } as ResultsAnswer<T>;
    } catch (error) {
      if (cajaErrorCode(error) !== "RESULTS_HIDDEN") throw error;
      // The 403 carries no interval: keep the server's last one, else the fallback.
      const known = queryClient.getQueryData<ResultsAnswer<T>>(queryKey);
      return { hidden: true, activity_id: ids.activity_id, poll_interval_ms: pollIntervalFor(known, policy) };
    }
  };

  return useQuery({
    queryKey,
    queryFn: ids ? fetchResults : skipToken,
    ...pollingDefaults<ResultsAnswer<T>>(policy, () => false),
    ...query,
  });
}
