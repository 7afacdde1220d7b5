import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { RedisStore } from "../redis";

export { addressLimitKey } from "./address";

/**
 * poll: status and feed reads; read: other reads; write: mutations; join: the public
 * join call, per address; join_preview: the public reads before a join (preview by code,
 * nickname check), per address, a budget of their own so a join screen that checks as
 * the user types never spends the joins of a room behind one address; session_join: joins into one session, from anywhere;
 * invalid_token: tokens that fail verification, per address.
 */
export const limitClasses = ["poll", "read", "write", "join", "join_preview", "session_join", "invalid_token"] as const;
export type LimitClass = (typeof limitClasses)[number];

export interface LimitRule {
  limit: number;
  windowMs: number;
}
export type LimitRules = Record<LimitClass, LimitRule>;

export const defaultLimitRules: LimitRules = {
  poll: { limit: 600, windowMs: 60_000 },
  read: { limit: 300, windowMs: 60_000 },
  write: { limit: 120, windowMs: 60_000 },
  join: { limit: 300, windowMs: 60_000 },
  // A few nickname checks per person joining, debounced while typing.
  join_preview: { limit: 1200, windowMs: 60_000 },
  // A room of 300 fills in a minute; a flood from rotating addresses does not fill 1000 seats in one.
  session_join: { limit: 300, windowMs: 60_000 },
  // A client with a stale token retries a few times; garbage buys few signature checks.
  invalid_token: { limit: 60, windowMs: 60_000 },
};

export interface LimitResult {
  ok: boolean;
  /** Seconds until a retry can succeed (for Retry-After). */
  retryAfter: number;
}

export interface RateLimiter {
  check(cls: LimitClass, key: string): Promise<LimitResult>;
  /**
   * Whether `check` could succeed now, without spending anything; answered from this
   * instance's buckets only (for a class checked before work that failures then pay for).
   */
  peek(cls: LimitClass, key: string): LimitResult;
}

/** Token bucket per key, in this process: refills continuously, bursts up to the limit. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(private readonly rules: LimitRules) {}

  check(cls: LimitClass, key: string): Promise<LimitResult> {
    return Promise.resolve(this.take(cls, key));
  }

  peek(cls: LimitClass, key: string, now = Date.now()): LimitResult {
    const rule = this.rules[cls];
    const bucket = this.buckets.get(cls + "\u0000" + key);
    const tokens = bucket ? Math.min(rule.limit, bucket.tokens + (now - bucket.at) * (rule.limit / rule.windowMs)) : rule.limit;
    return tokens >= 1 ? { ok: true, retryAfter: 0 } : { ok: false, retryAfter: this.waitSeconds(rule, tokens) };
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

/**
 * Limits shared by every instance through Redis (`@upstash/ratelimit`'s sliding
 * window, on either driver: it needs only EVALSHA/EVAL) for the classes that protect writes; polls stay per instance (they are cheap, and a
 * Redis round trip per poll would cost more than the poll). If Redis fails, the
 * per-instance limiter answers instead of letting everything through.
 */
export class SharedRateLimiter implements RateLimiter {
  private readonly local: MemoryRateLimiter;
  private readonly shared = new Map<LimitClass, Ratelimit>();

  constructor(store: RedisStore, rules: LimitRules, options: { sharedClasses?: LimitClass[]; keyPrefix?: string } = {}) {
    const { sharedClasses = ["write", "join", "session_join"], keyPrefix = "caja:" } = options;
    this.local = new MemoryRateLimiter(rules);
    // The library calls only these two on its Redis (no deny lists, no analytics). It stays pinned below
    // 2.1, whose scripts start with a shebang line that stock Redis (the native driver's) rejects.
    const redis = {
      evalsha: (sha: string, keys: string[], args: unknown[]) => store.evalsha(sha, keys, args),
      eval: (script: string, keys: string[], args: unknown[]) => store.eval(script, keys, args),
    } as unknown as Redis;
    for (const cls of sharedClasses) {
      const rule = rules[cls];
      this.shared.set(
        cls,
        new Ratelimit({
          redis,
          limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowMs} ms`),
          prefix: `${keyPrefix}rl:${cls}`,
          ephemeralCache: new Map(),
          timeout: 0,
          analytics: false,
        }),
      );
    }
  }

  peek(cls: LimitClass, key: string): LimitResult {
    return this.local.peek(cls, key);
  }

  async check(cls: LimitClass, key: string): Promise<LimitResult> {
    const limiter = this.shared.get(cls);
    if (!limiter) return this.local.take(cls, key);
    try {
      const result = await withTimeout(limiter.limit(key), 250);
      return { ok: result.success, retryAfter: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)) };
    } catch {
      return this.local.take(cls, key);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("rate limit store timeout")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** "600/60s", "20/1m" -> rule. */
export function parseLimitRule(text: string): LimitRule | null {
  const match = /^(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[3] as "ms" | "s" | "m" | "h"];
  const limit = Number(match[1]);
  const windowMs = Number(match[2]) * unit;
  return limit > 0 && windowMs > 0 ? { limit, windowMs } : null;
}
