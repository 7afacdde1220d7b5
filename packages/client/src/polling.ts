import { isTransientError, retryAfterMs } from "./errors";

/** How polling behaves; every field has a default. */
export interface PollPolicy {
  /** Poll at this fixed interval instead of the server's `poll_interval_ms`. */
  intervalMs?: number;
  /** Used until the server has answered once (default 2000). */
  fallbackIntervalMs?: number;
  /** Stop polling once the session or activity is `completed` (default true). */
  stopWhenCompleted?: boolean;
  /** Longest wait between attempts while backing off (default 30000). */
  maxBackoffMs?: number;
}

export const DEFAULT_POLL_INTERVAL_MS = 2000;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;

interface PolledAnswer {
  poll_interval_ms?: number;
}

/** The wait before the next poll after a successful answer. */
export function pollIntervalFor(answer: PolledAnswer | undefined, policy: PollPolicy = {}): number {
  return policy.intervalMs ?? answer?.poll_interval_ms ?? policy.fallbackIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
}

/**
 * The wait before retrying a failed poll (`attempt` counts from 1): what the server asked
 * for in `Retry-After` when it said so, else exponential backoff from the poll interval with
 * jitter, so that a room of clients that failed together does not come back together.
 */
export function pollRetryDelay(attempt: number, error: unknown, policy: PollPolicy = {}, random = Math.random): number {
  const maxMs = policy.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const askedMs = retryAfterMs(error);
  // The server's word wins over our cap: coming back earlier only earns another 429.
  if (askedMs !== undefined) return Math.max(askedMs, pollIntervalFor(undefined, policy));
  const ceiling = Math.min(pollIntervalFor(undefined, policy) * 2 ** Math.max(0, attempt - 1), maxMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Keep retrying transient failures (they are what backoff is for); give up on the rest. */
export function shouldRetryPoll(error: unknown): boolean {
  return isTransientError(error);
}
