import type { LimitClass, LimitResult, RateLimiter } from "./rules";

/**
 * Runs `work` under a limit that counts only work done: a token is taken before it (so concurrent
 * callers cannot overshoot the limit) and given back when it fails. For a budget that protects a
 * shared resource (a room's seats) from being spent by requests that got nothing: a failed join
 * must not lock the room for everyone else.
 */
export async function spendOnSuccess<T>(
  limiter: RateLimiter,
  cls: LimitClass,
  key: string,
  refused: (verdict: LimitResult) => Error,
  work: () => Promise<T>,
): Promise<T> {
  const checkedAt = Date.now();
  const verdict = await limiter.check(cls, key);
  if (!verdict.ok) throw refused(verdict);
  try {
    return await work();
  } catch (error) {
    limiter.refund(cls, key, checkedAt);
    throw error;
  }
}
