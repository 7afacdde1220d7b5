import type { ActivityRegistry } from "@caja/activities";
import type { Database } from "@caja/db";
import type { TokenService } from "./auth/tokens";
import type { ReadThroughCache } from "./cache";
import type { RateLimiter } from "./ratelimit";
import type { Presence } from "./services/presence";
import type { SeatCheck } from "./services/seats";
import { RequestDeps } from "./request-deps";

export interface ApiSettings {
  participantTokenTtlSeconds: number;
  /** Default `poll_interval_ms` when no governor is given. */
  pollIntervalMs: number;
  /** Stored bytes of one `response_data` (default 16 KiB); larger is 413 naming the field. */
  maxResponseDataBytes?: number;
  /** Stored bytes of one activity `config` (default 32 KiB). */
  maxConfigBytes?: number;
}

/** Everything a procedure may use, built once per process by the server app. */
export interface ApiDeps {
  db: Database;
  cache: ReadThroughCache;
  /** Built-in and deployer activity types; whether other types are allowed (ALLOW_CUSTOM_ACTIVITY_TYPES). */
  activityTypes: ActivityRegistry;
  tokens: TokenService;
  limiter: RateLimiter;
  presence: Presence;
  /** Whether a participant token still holds its seat (checked on every participant call). */
  seats: SeatCheck;
  settings: ApiSettings;
  pollIntervalMs?: () => number;
  /**
   * `db` bound to a request's deadline (`DbHandle.withDeadline`): a context with a deadline
   * reads and writes through it. Without it, requests have no deadline (tests, direct callers).
   */
  dbWithDeadline?: (deadline: number) => Database;
}

/** Only `get` is used, so adapters may pass a real `Headers` or a cheap view of one. */
export type HeaderReader = Pick<Headers, "get">;

/** When a request arrived and until when its work may still reach the database. */
export interface RequestTiming {
  /** Epoch ms (fractional), strictly increasing within a process: see `receiveStamp`. */
  receivedAt: number;
  /** Epoch ms after which no write of this request may be applied; none when not given. */
  deadline?: number;
}

export interface CreateContextOptions {
  headers: HeaderReader;
  /** The caller's address, for limits on unauthenticated calls (join). */
  ip?: string;
  deps: ApiDeps;
  /** Defaults to "received now, no deadline" (direct callers, tests). */
  timing?: RequestTiming;
}

let lastStamp = 0;

/**
 * The wall clock in ms, made strictly increasing within the process (a microsecond
 * apart at least), so two requests of one participant received in the same
 * millisecond still have an order. Across instances the order is as good as
 * their clocks' agreement (NTP).
 */
export function receiveStamp(now = Date.now()): number {
  lastStamp = Math.max(now, lastStamp + 0.001);
  return lastStamp;
}

/** Kept to four small keys: tRPC copies the context at every middleware, on every poll. */
export function createContext({ headers, ip, deps, timing }: CreateContextOptions) {
  const deadline = timing?.deadline;
  return {
    deps: deadline !== undefined && deps.dbWithDeadline ? new RequestDeps(deps, deadline) : deps,
    headers,
    ip: ip ?? "unknown",
    timing: timing ?? { receivedAt: receiveStamp() },
  };
}

export type Context = ReturnType<typeof createContext>;
