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
  /** The verdict itself when this instance can answer alone (a poll's path skips a promise), else a promise of it. */
  check(cls: LimitClass, key: string): LimitResult | Promise<LimitResult>;
  /**
   * Gives back a token `check` took at `checkedAt` (epoch ms) for work that then did not happen
   * (a join that took no seat), so that only work done counts against the key. A token whose
   * window has ended is not given back.
   */
  refund(cls: LimitClass, key: string, checkedAt: number): void;
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
