import { DEFAULT_MAX_BACKOFF_MS, pollIntervalFor, pollRetryDelay, shouldRetryPoll, type PollPolicy } from "../polling";

interface PolledQuery<TData> {
  state: { data: TData | undefined; status: "pending" | "error" | "success" };
}

/**
 * TanStack Query options that make a query poll the Caja way: at the server's
 * `poll_interval_ms`, not in background tabs, not after completion, and with backoff
 * (honouring `Retry-After`) while requests fail. Spread user options after these.
 */
export function pollingDefaults<TData extends { poll_interval_ms?: number }>(
  policy: PollPolicy,
  isCompleted: (data: TData) => boolean,
) {
  return {
    refetchInterval: (query: PolledQuery<TData>): number | false => {
      const { data, status } = query.state;
      if (policy.stopWhenCompleted !== false && data !== undefined && isCompleted(data)) return false;
      // Transient failures are retried with backoff before a query ever lands here; an error
      // that waiting will not fix (401, 403, 404) is only checked on rarely.
      if (status === "error") return policy.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
      return pollIntervalFor(data, policy);
    },
    refetchIntervalInBackground: false,
    retry: (_failureCount: number, error: unknown) => shouldRetryPoll(error),
    retryDelay: (failureCount: number, error: unknown) => pollRetryDelay(failureCount, error, policy),
  };
}

/** Splits the Caja polling knobs from the TanStack options passed through. */
export function splitPollPolicy<T extends PollPolicy>(options: T): [PollPolicy, Omit<T, keyof PollPolicy>] {
  const { intervalMs, fallbackIntervalMs, stopWhenCompleted, maxBackoffMs, ...rest } = options;
  return [{ intervalMs, fallbackIntervalMs, stopWhenCompleted, maxBackoffMs }, rest];
}
