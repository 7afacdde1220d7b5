import type { LimitClass, LimitResult, LimitRule, LimitRules, RateLimiter } from "./rules";

/** Token bucket per key, in this process: refills continuously, bursts up to the limit. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(private readonly rules: LimitRules) {}

  check(cls: LimitClass, key: string): LimitResult {
    return this.take(cls, key);
  }

  refund(cls: LimitClass, key: string): void {
    const bucket = this.buckets.get(cls + "\u0000" + key);
    // A bucket refills continuously: the token comes back as if it had never been taken.
    if (bucket) bucket.tokens = Math.min(this.rules[cls].limit, bucket.tokens + 1);
  }

  take(cls: LimitClass, key: string, now = Date.now()): LimitResult {
    const rule = this.rules[cls];
    const perMs = rule.limit / rule.windowMs;
    const id = cls + "\u0000" + key;
    const bucket = this.buckets.get(id);
    const tokens = bucket ? Math.min(rule.limit, bucket.tokens + (now - bucket.at) * perMs) : rule.limit;
    if (now - this.lastSweep > 60_000) this.sweep(now);
    if (tokens >= 1) {
      this.buckets.set(id, { tokens: tokens - 1, at: now });
      return { ok: true, retryAfter: 0 };
    }
    this.buckets.set(id, { tokens, at: now });
    return { ok: false, retryAfter: this.waitSeconds(rule, tokens) };
  }

  private waitSeconds(rule: LimitRule, tokens: number): number {
    return Math.max(1, Math.ceil(((1 - tokens) * rule.windowMs) / rule.limit / 1000));
  }

  private sweep(now: number) {
    this.lastSweep = now;
    // A bucket idle for its whole window is full again: forgetting it changes nothing.
    for (const [id, bucket] of this.buckets) {
      if (now - bucket.at > 600_000) this.buckets.delete(id);
    }
  }
}
