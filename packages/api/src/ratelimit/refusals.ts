import { limitClasses, type LimitClass, type LimitResult, type RateLimiter } from "./rules";

/** Refusals since start, by class: read by the server's /metrics (this package knows nothing of it). */
export type RefusalCounts = Record<LimitClass, number>;

/**
 * `limiter`, counting each refusal it answers (a `check` that said no) in `refusals`.
 * A number per class rather than a callback: the poll path pays an increment only on a refusal.
 */
export function countingRefusals(limiter: RateLimiter): { limiter: RateLimiter; refusals: RefusalCounts } {
  const refusals = Object.fromEntries(limitClasses.map((cls) => [cls, 0])) as RefusalCounts;
  const counted = (cls: LimitClass, verdict: LimitResult) => {
    if (!verdict.ok) refusals[cls]++;
    return verdict;
  };
  return {
    refusals,
    limiter: {
      check(cls, key) {
        const verdict = limiter.check(cls, key);
        return verdict instanceof Promise ? verdict.then((v) => counted(cls, v)) : counted(cls, verdict);
      },
      refund: (cls, key, checkedAt) => limiter.refund(cls, key, checkedAt),
    },
  };
}
