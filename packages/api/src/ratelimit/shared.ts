import type { RedisStore } from "../redis";
import { MemoryRateLimiter } from "./memory";
import type { LimitClass, LimitResult, LimitRule, LimitRules, RateLimiter } from "./rules";
import { takeFromWindow } from "./sliding-window";

export interface SharedLimitOptions {
  /** The classes counted across instances; the others stay per instance. */
  sharedClasses?: LimitClass[];
  keyPrefix?: string;
  /** Tokens an instance takes from Redis at once, as a share of the rule's limit (at least one). */
  leaseShare?: number;
  /** A Redis call slower than this is abandoned and this instance's buckets answer. */
  timeoutMs?: number;
  /** Where the window's position comes from (tests pin it: the sliding window weighs time). */
  now?: () => number;
}

interface Lease {
  window: number;
  /** When the window ends: a lease past it is worth nothing and can be forgotten. */
  endsAt: number;
  remaining: number;
}

interface SharedClass {
  rule: LimitRule;
  prefix: string;
  leaseSize: number;
}

const allowed: LimitResult = { ok: true, retryAfter: 0 };

/**
 * Limits shared by every instance through Redis, on either driver, for the classes that protect
 * writes; polls stay per instance (a Redis round trip per poll would cost more than the poll).
 *
 * Local first: an instance takes tokens from the shared sliding window in leases of `leaseShare`
 * of the limit (12 of the default 120 writes a minute) and spends them in process, so a caller's
 * requests cost one Redis call per lease instead of one each. A limit below 1 / leaseShare is
 * leased one token at a time: checked in Redis on every call, as before.
 *
 * The bound: leased tokens are counted in Redis when taken, so the instances together never admit
 * more than the limit (no overshoot). The price is the other way: tokens an instance leased but
 * has not spent are unavailable to the others, so a caller whose requests spread over n instances
 * can be refused up to (n - 1) leases, (n - 1) x leaseShare x limit, early; and a lease left
 * unspent when its window ends still counts, weighted, in the next (at most one lease per instance).
 *
 * If Redis fails or is slow, this instance's own buckets answer instead of letting everything through.
 */
export class SharedRateLimiter implements RateLimiter {
  private readonly local: MemoryRateLimiter;
  private readonly shared = new Map<LimitClass, SharedClass>();
  private readonly leases = new Map<string, Lease>();
  private readonly leasing = new Map<string, Promise<number>>();
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(
    private readonly store: RedisStore,
    rules: LimitRules,
    options: SharedLimitOptions = {},
  ) {
    const { sharedClasses = ["write", "join", "session_join"], keyPrefix = "caja:", leaseShare = 0.1 } = options;
    this.timeoutMs = options.timeoutMs ?? 250;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
    this.local = new MemoryRateLimiter(rules);
    for (const cls of sharedClasses) {
      const rule = rules[cls];
      this.shared.set(cls, {
        rule,
        prefix: `${keyPrefix}rl:${cls}`,
        leaseSize: Math.max(1, Math.floor(rule.limit * leaseShare)),
      });
    }
  }

  /**
   * A leased token goes back to this instance's lease of the window it was taken in (Redis still
   * counts it: the instances together stay within the limit, and only this one can spend it again);
   * one taken from this instance's own buckets (Redis was failing) goes back there.
   */
  refund(cls: LimitClass, key: string, checkedAt: number): void {
    const shared = this.shared.get(cls);
    if (!shared) return this.local.refund(cls, key);
    const window = Math.floor(checkedAt / shared.rule.windowMs);
    const lease = this.leases.get(`${shared.prefix}:${key}`);
    if (lease?.window === window) lease.remaining++;
    else if (window === Math.floor(this.now() / shared.rule.windowMs)) this.local.refund(cls, key);
  }

  check(cls: LimitClass, key: string): LimitResult | Promise<LimitResult> {
    const shared = this.shared.get(cls);
    if (!shared) return this.local.take(cls, key);
    const id = `${shared.prefix}:${key}`;
    return this.spendLeased(id, shared, this.now()) ? allowed : this.checkLeasing(cls, key, id, shared);
  }

  /** Spends a token of this window's lease, if one is left. */
  private spendLeased(id: string, shared: SharedClass, now: number): boolean {
    const lease = this.leases.get(id);
    if (!lease || lease.window !== Math.floor(now / shared.rule.windowMs) || lease.remaining <= 0) return false;
    lease.remaining--;
    return true;
  }

  private async checkLeasing(cls: LimitClass, key: string, id: string, shared: SharedClass): Promise<LimitResult> {
    // Each pass either spends a token or leases at least one more from the limit; a refusal ends it.
    for (;;) {
      const now = this.now();
      const window = Math.floor(now / shared.rule.windowMs);
      if (this.spendLeased(id, shared, now)) return allowed;
      let granted: number;
      try {
        granted = await this.lease(id, shared, now);
      } catch {
        return this.local.take(cls, key);
      }
      if (granted === 0) {
        const endsAt = (window + 1) * shared.rule.windowMs;
        return { ok: false, retryAfter: Math.max(1, Math.ceil((endsAt - this.now()) / 1000)) };
      }
    }
  }

  /** One lease call per key at a time; callers arriving meanwhile wait for it and share its tokens. */
  private lease(id: string, shared: SharedClass, now: number): Promise<number> {
    const pending = this.leasing.get(id);
    if (pending) return pending;
    if (now - this.lastSweep > 60_000) this.sweep(now);
    const call = withTimeout(takeFromWindow(this.store, id, shared.rule, shared.leaseSize, now), this.timeoutMs)
      .then(({ window, granted }) => {
        const current = this.leases.get(id);
        const remaining = current?.window === window ? current.remaining + granted : granted;
        const endsAt = (window + 1) * shared.rule.windowMs;
        this.leases.set(id, { window, endsAt, remaining });
        return granted;
      })
      .finally(() => {
        if (this.leasing.get(id) === call) this.leasing.delete(id);
      });
    this.leasing.set(id, call);
    return call;
  }

  private sweep(now: number) {
    this.lastSweep = now;
    // A lease from a window that has ended holds nothing.
    for (const [id, lease] of this.leases) {
      if (lease.endsAt < now) this.leases.delete(id);
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
