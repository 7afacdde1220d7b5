import {
  IdempotencySweeper,
  MemoryRateLimiter,
  PollGovernor,
  Presence,
  SeatCheck,
  ReadThroughCache,
  SharedRateLimiter,
  TokenService,
  createRedisStore,
  countingRefusals,
  createSharedCache,
  type ApiDeps,
  type RefusalCounts,
} from "@caja/api";
import { builtInActivityTypes, createActivityRegistry, type AnyActivityType } from "@caja/activities";
import { createDb, migrate, pendingMigrations, type DbHandle, type QueryHook } from "@caja/db";
import { migrationsFolder } from "./assets";
import { limitRules, type ServerConfig } from "./config";
import { databaseLocation, jwtSecret } from "./defaults";

export interface ServerDeps {
  /** What every procedure receives in its context. */
  api: ApiDeps;
  db: DbHandle;
  /** True when JWT_SECRET was not configured and the secret under the data directory is used. */
  generatedSecret: boolean;
  /** The limiter's refusals by class, for /metrics. */
  refusals: RefusalCounts;
  /** One line for the start-up log: which database and which cache. */
  summary: string;
  /** Stops the background work (poll governor, presence flush, idempotency-key sweep), then closes the database. */
  close(): Promise<void>;
}

/**
 * Everything the procedures depend on, built once from the configuration: the
 * database (migrated, or checked to be when MIGRATE_ON_START=false), the token service, the activity types (built-ins and a deployer's
 * own), and with Redis configured one Redis
 * client shared by the cache and the rate limiter.
 */
export async function buildDeps(
  config: ServerConfig,
  extra: { activityTypes?: readonly AnyActivityType[]; onQuery?: QueryHook } = {},
): Promise<ServerDeps> {
  const db = createDb(databaseLocation(config), {
    maxConnections: config.DB_POOL_SIZE,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    reconnectMaxDelayMs: config.DB_RECONNECT_MAX_DELAY_MS,
    onQuery: extra.onQuery,
  });
  await migrateOrCheck(db, config.MIGRATE_ON_START);

  const { secret, generated } = jwtSecret(config);
  const tokens = new TokenService({
    secret,
    publicKey: config.JWT_PUBLIC_KEY,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });

  const redis = createRedisStore({
    redisUrl: config.REDIS_URL,
    upstash:
      config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
        ? { url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
  });
  const rules = limitRules(config);
  const { limiter, refusals } = countingRefusals(
    redis ? new SharedRateLimiter(redis, rules, { keyPrefix: config.REDIS_KEY_PREFIX }) : new MemoryRateLimiter(rules),
  );
  const governor = new PollGovernor(config.POLL_INTERVAL_MS);
  const presence = new Presence(db.db);
  // Idempotency-Key rows are kept 24 h; lookups ignore older ones, this deletes them.
  const sweeper = new IdempotencySweeper(db.db);
  const cache = new ReadThroughCache({
    shared: redis ? createSharedCache(redis, config.REDIS_KEY_PREFIX) : undefined,
    localTtlMs: config.CACHE_LOCAL_TTL_MS,
    sharedTtlMs: config.CACHE_SHARED_TTL_MS,
    minRefreshMs: config.CACHE_MIN_REFRESH_MS,
    maxStaleMs: config.CACHE_MAX_STALE_MS,
  });
  const api: ApiDeps = {
    db: db.db,
    // Each request's queries carry its deadline (REQUEST_TIMEOUT_MS after it arrived): see the router.
    dbWithDeadline: db.withDeadline,
    cache,
    activityTypes: createActivityRegistry([...builtInActivityTypes, ...(extra.activityTypes ?? [])], {
      allowUnregistered: config.ALLOW_CUSTOM_ACTIVITY_TYPES,
      maxResponsesPerParticipant: config.MAX_RESPONSES_PER_PARTICIPANT,
    }),
    tokens,
    limiter,
    presence,
    // Reads the session status through the same cache: a kick reaches reads within its staleness bound.
    seats: new SeatCheck({ db: db.db, cache }),
    settings: {
      participantTokenTtlSeconds: config.PARTICIPANT_TOKEN_TTL,
      pollIntervalMs: config.POLL_INTERVAL_MS,
      maxResponseDataBytes: config.MAX_RESPONSE_DATA_BYTES,
      maxConfigBytes: config.MAX_CONFIG_BYTES,
    },
    pollIntervalMs: () => governor.pollIntervalMs(),
  };

  return {
    api,
    db,
    generatedSecret: generated,
    refusals,
    summary: `database: ${db.driver === "pglite" ? `PGlite at ${db.url}` : "PostgreSQL"}; cache: ${redis ? `Redis (${redis.driver === "native" ? "native" : "Upstash REST"})` : "memory"}`,
    close: async () => {
      governor.close();
      sweeper.close();
      await presence.close();
      await redis?.close();
      await db.close();
    },
  };
}

async function migrateOrCheck(db: DbHandle, migrateNow: boolean): Promise<void> {
  if (migrateNow) return migrate(db, migrationsFolder);
  const pending = await pendingMigrations(db, migrationsFolder);
  if (pending.length === 0) return;
  await db.close();
  throw new Error(
    `the database lacks ${pending.length} migration${pending.length === 1 ? "" : "s"} of this release ` +
      `(${pending.join(", ")}): run \`caja migrate\` first, or start with MIGRATE_ON_START=true`,
  );
}
