import type { Database } from "@caja/db";
import type { TokenService } from "./auth/tokens";
import type { ReadThroughCache } from "./cache";
import type { RateLimiter } from "./ratelimit";
import type { Presence } from "./services/presence";

export interface ApiSettings {
  participantTokenTtlSeconds: number;
  /** Default `poll_interval_ms` when no governor is given. */
  pollIntervalMs: number;
}

/** Everything a procedure may use, built once per process by the server app. */
export interface ApiDeps {
  db: Database;
  cache: ReadThroughCache;
  tokens: TokenService;
  limiter: RateLimiter;
  presence: Presence;
  settings: ApiSettings;
  pollIntervalMs?: () => number;
}

/** Only `get` is used, so adapters may pass a real `Headers` or a cheap view of one. */
export type HeaderReader = Pick<Headers, "get">;

export interface CreateContextOptions {
  headers: HeaderReader;
  /** The caller's address, for limits on unauthenticated calls (join). */
  ip?: string;
  deps: ApiDeps;
}

/** Kept to three keys: tRPC copies the context at every middleware, on every poll. */
export function createContext({ headers, ip, deps }: CreateContextOptions) {
  return { deps, headers, ip: ip ?? "unknown" };
}

export type Context = ReturnType<typeof createContext>;
