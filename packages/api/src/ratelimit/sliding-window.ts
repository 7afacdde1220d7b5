import { createHash } from "node:crypto";
import type { RedisStore } from "../redis";

/**
 * `@upstash/ratelimit`'s sliding window (two fixed windows, the previous one weighted by
 * the share of it still inside the window; refused once that reaches the limit), except that
 * it grants up to `want` tokens at once. Same keys and same counters as the library's, so
 * instances before and after a deploy share one count.
 */
const script = `
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
local previous = tonumber(redis.call("GET", KEYS[2]) or "0")
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local used = math.floor((1 - (now % window) / window) * previous) + current
local grant = math.min(want, limit - used)
if grant <= 0 then return {0, used} end
local total = redis.call("INCRBY", KEYS[1], grant)
if total == grant then redis.call("PEXPIRE", KEYS[1], window * 2 + 1000) end
return {grant, used + grant}
`;
const sha = createHash("sha1").update(script).digest("hex");

export interface WindowTake {
  /** The fixed window the tokens count in (`floor(now / windowMs)`); they are spent within it. */
  window: number;
  /** 0 when the caller is over its limit. */
  granted: number;
}

/** Takes up to `want` tokens of `key`'s window from Redis in one atomic script. */
export async function takeFromWindow(
  store: RedisStore,
  key: string,
  rule: { limit: number; windowMs: number },
  want: number,
  now: number,
): Promise<WindowTake> {
  const window = Math.floor(now / rule.windowMs);
  const keys = [`${key}:${window}`, `${key}:${window - 1}`];
  const args = [rule.limit, rule.windowMs, now, want];
  const reply = await store.evalsha(sha, keys, args).catch((error: unknown) => {
    if (error instanceof Error && error.message.includes("NOSCRIPT")) return store.eval(script, keys, args);
    throw error;
  });
  const granted = Array.isArray(reply) ? Number(reply[0]) : NaN;
  if (!Number.isInteger(granted) || granted < 0) throw new Error(`unexpected rate limit reply: ${JSON.stringify(reply)}`);
  return { window, granted };
}
