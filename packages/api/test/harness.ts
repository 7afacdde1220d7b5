import {
  MemoryRateLimiter,
  Presence,
  ReadThroughCache,
  SeatCheck,
  TokenService,
  createCaller,
  createContext,
  defaultLimitRules,
  type ApiDeps,
  type LimitRules,
  type SharedCache,
} from "../src/index";
import { builtInActivityTypes, createActivityRegistry, type AnyActivityType } from "@caja/activities";
import { createTestDatabase, type TestDatabase } from "@caja/testing";
import { queryRows, sql } from "@caja/db";
import { feedWatermarkMs } from "../src/services/feed-watermark";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-0123456789";

export interface ApiHarness {
  db: TestDatabase;
  deps: ApiDeps;
  /** A tRPC caller acting with this bearer token (or none), sending these extra headers. */
  caller(token?: string, headers?: Record<string, string>): ReturnType<typeof createCaller>;
  adminToken(sub?: string): string;
  /**
   * Resolves once every committed answer in this database can show in the feed, by
   * stamp (below the watermark: every transaction of the database that started before it
   * has ended) and by a kind-1 cursor (below xmin: every older transaction of the cluster
   * has ended). Other test files' transactions (migrations, held locks) can delay the
   * latter by seconds.
   */
  feedSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  shared?: SharedCache;
  limits?: Partial<LimitRules>;
  /** A deployer's types, beside the built-ins. */
  activityTypes?: AnyActivityType[];
  /** ALLOW_CUSTOM_ACTIVITY_TYPES; default true. */
  allowCustomActivityTypes?: boolean;
  /**
   * How long a cached entry lives (default the cache's 200 ms). A test about invalidation sets it
   * longer than itself: an entry a write failed to invalidate then never expires in time to hide it.
   */
  cacheTtlMs?: number;
  /** MAX_RESPONSES_PER_PARTICIPANT: the cap of multiple-mode activities that name none; the registry's default otherwise. */
  maxResponsesPerParticipant?: number;
}

/** In-process API on a fresh database: the fast path for service and router tests. */
export async function createApiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const tokens = new TokenService({ secret: TEST_JWT_SECRET });
  const presence = new Presence(db.db);
  const cache = new ReadThroughCache({ shared: options.shared, localTtlMs: options.cacheTtlMs, minRefreshMs: 0, maxStaleMs: 0 });
  const deps: ApiDeps = {
    db: db.db,
    cache,
    activityTypes: createActivityRegistry([...builtInActivityTypes, ...(options.activityTypes ?? [])], {
      allowUnregistered: options.allowCustomActivityTypes ?? true,
      maxResponsesPerParticipant: options.maxResponsesPerParticipant,
    }),
    tokens,
    // Tests are not about limits unless they say so.
    limiter: new MemoryRateLimiter({ ...bigLimits, ...options.limits }),
    presence,
    seats: new SeatCheck({ db: db.db, cache }),
    settings: { participantTokenTtlSeconds: 3600, pollIntervalMs: 2000 },
  };
  return {
    db,
    deps,
    caller: (token, extra = {}) => {
      const headers = new Headers({ ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) });
      return createCaller(createContext({ headers, deps, ip: "127.0.0.1" }));
    },
    adminToken: (sub = "alice") => tokens.sign({ sub, role: "admin" }, 3600).token,
    feedSettled: async () => {
      for (const until = Date.now() + 20_000; ;) {
        const watermark = new Date(await feedWatermarkMs(db.db)).toISOString();
        const [row] = await queryRows<{ settled: boolean }>(
          db.db,
          sql`select not exists (select 1 from user_responses
                                  where txid >= pg_snapshot_xmin(pg_current_snapshot()) or updated_at >= ${watermark}::timestamptz) as settled`,
        );
        if (row?.settled) return;
        if (Date.now() > until) throw new Error("answers stayed hidden from the feed for 20 s");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: async () => {
      await presence.close();
      await db.dispose();
    },
  };
}

const bigLimits: LimitRules = Object.fromEntries(
  Object.keys(defaultLimitRules).map((k) => [k, { limit: 1_000_000, windowMs: 1000 }]),
) as LimitRules;
