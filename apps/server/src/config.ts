import { availableParallelism } from "node:os";
import { z } from "zod";
import { parseProxyTrust } from "./client-ip";
import { defaultMaxResponsesPerParticipant } from "@caja/activities";
import { defaultLimitRules, limitClasses, parseDuration, parseLimitRule, type LimitRule, type LimitRules } from "@caja/api";

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === null || seconds <= 0) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a duration such as 90s, 15m, 12h or 7d` });
        return z.NEVER;
      }
      return seconds;
    });

const limitRule = (fallback: LimitRule) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === "") return fallback;
      const rule = parseLimitRule(text);
      if (!rule) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a limit such as 600/60s` });
        return z.NEVER;
      }
      return rule;
    });

const flag = (fallback: "true" | "false") =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback)
    .transform((v) => v === "true" || v === "1");

const intIn = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

/** Every environment variable the server reads; README's table documents the same. */
export const envSchema = z
  .object({
    PORT: intIn(0, 65535, 3000),
    HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: optionalText.refine((v) => v === undefined || v === "memory://" || /^postgres(ql)?:\/\//.test(v), {
      message: "must be a postgres:// URL, or memory:// for a throw-away PGlite (unset: PGlite under CAJA_DATA_DIR)",
    }),
    // false in production: `caja migrate` runs once before the instances start, and an instance
    // then changes no schema (its database user needs no DDL rights) and refuses a database behind it.
    MIGRATE_ON_START: flag("true"),
    CAJA_DATA_DIR: z.string().default(".caja"),
    CAJA_WEB_DIR: optionalText,
    DB_POOL_SIZE: intIn(1, 200, 10),
    DB_CONNECT_TIMEOUT_MS: intIn(100, 60_000, 2000),
    DB_STATEMENT_TIMEOUT_MS: intIn(0, 600_000, 5000),
    DB_RECONNECT_MAX_DELAY_MS: intIn(10, 30_000, 500),
    REQUEST_TIMEOUT_MS: intIn(100, 60_000, 3000),
    SHUTDOWN_TIMEOUT_MS: intIn(0, 60_000, 8000),
    // The HTTP server's own limits (see app.ts): a slow or greedy client cannot hold sockets or memory.
    HTTP_HEADERS_TIMEOUT_MS: intIn(1000, 600_000, 10_000),
    HTTP_REQUEST_TIMEOUT_MS: intIn(1000, 600_000, 30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: intIn(1000, 600_000, 65_000),
    HTTP_MAX_HEADER_BYTES: intIn(1024, 1024 * 1024, 16 * 1024),
    HTTP_MAX_HEADERS: intIn(10, 2000, 100),
    HTTP_MAX_CONNECTIONS: intIn(1, 1_000_000, 10_000),
    // Per peer address (0: none). Phones on one venue Wi-Fi share its NAT's address, so the
    // default is high; under TRUST_PROXY the trusted proxies are not capped (see http/connections.ts).
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: intIn(0, 1_000_000, 1000),
    TRPC_MAX_BATCH: intIn(1, 1000, 50),
    // What a batch's calls together may answer, at most, counted before any runs (packages/openapi, batch-budget.ts).
    TRPC_BATCH_MAX_BYTES: intIn(1024, 1024 * 1024 * 1024, 16 * 1024 * 1024),
    // Server processes on one port (node:cluster); "auto": one per core.
    CAJA_WORKERS: z
      .string()
      .default("1")
      .transform((text, ctx) => {
        const n = text.trim() === "auto" ? availableParallelism() : Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 256) {
          ctx.addIssue({ code: "custom", message: `"${text}" is not a number of processes (1-256) or auto` });
          return z.NEVER;
        }
        return n;
      }),
    JWT_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, { message: "must be at least 32 characters" }),
    JWT_PUBLIC_KEY: optionalText.refine((v) => v === undefined || v.includes("-----BEGIN"), {
      message: "must be a PEM public key (-----BEGIN PUBLIC KEY-----...)",
    }),
    JWT_ISSUER: optionalText,
    JWT_AUDIENCE: optionalText,
    PARTICIPANT_TOKEN_TTL: duration("12h"),
    // How long a one-time sign-in link (console, `pnpm caja sign-in-link`) stays good if unused.
    SIGN_IN_LINK_TTL: duration("10m"),
    UPSTASH_REDIS_REST_URL: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), {
      message: "must be an http(s) URL",
    }),
    UPSTASH_REDIS_REST_TOKEN: optionalText,
    // Native RESP (one pipelined connection) for a long-running server next to its own Redis.
    REDIS_URL: optionalText.refine((v) => v === undefined || /^rediss?:\/\//.test(v), {
      message: "must be a redis:// or rediss:// URL (redis://[user:password@]host:port[/db])",
    }),
    // Two deployments (or two test runs) sharing one Redis must not share cache entries or limit counters.
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { message: "must be 1-64 characters of A-Z a-z 0-9 : _ . -" })
      .default("caja:"),
    CACHE_LOCAL_TTL_MS: intIn(0, 10_000, 200),
    CACHE_SHARED_TTL_MS: intIn(1, 60_000, 500),
    CACHE_MIN_REFRESH_MS: intIn(0, 1_000, 50),
    CACHE_MAX_STALE_MS: intIn(0, 10_000, 1000),
    POLL_INTERVAL_MS: intIn(250, 60_000, 2000),
    // Poll answers kept per instance to answer the same request in the same state without its procedure.
    POLL_KEPT_ANSWER_BYTES: intIn(0, 4 * 1024 * 1024 * 1024, 32 * 1024 * 1024),
    RATE_LIMIT_POLL: limitRule(defaultLimitRules.poll),
    RATE_LIMIT_READ: limitRule(defaultLimitRules.read),
    RATE_LIMIT_WRITE: limitRule(defaultLimitRules.write),
    RATE_LIMIT_JOIN: limitRule(defaultLimitRules.join),
    RATE_LIMIT_JOIN_PREVIEW: limitRule(defaultLimitRules.join_preview),
    RATE_LIMIT_SESSION_JOIN: limitRule(defaultLimitRules.session_join),
    RATE_LIMIT_INVALID_TOKEN: limitRule(defaultLimitRules.invalid_token),
    MAX_BODY_BYTES: intIn(1024, 10 * 1024 * 1024, 64 * 1024),
    MAX_RESPONSE_DATA_BYTES: intIn(16, 10 * 1024 * 1024, 16 * 1024),
    MAX_CONFIG_BYTES: intIn(16, 10 * 1024 * 1024, 32 * 1024),
    // Multiple-mode activities without a max_responses_per_participant of their own.
    MAX_RESPONSES_PER_PARTICIPANT: intIn(1, 1_000_000, defaultMaxResponsesPerParticipant),
    CORS_ORIGINS: z.string().default("*"),
    ALLOW_CUSTOM_ACTIVITY_TYPES: flag("true"),
    // Observability (issue 19): request logs, /metrics, traces.
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Unset: /metrics answers 404. Set: it needs `Authorization: Bearer <METRICS_TOKEN>`.
    METRICS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, {
      message: "must be at least 16 characters (it guards what the server tells about its load)",
    }),
    // Set: spans of each request and its PostgreSQL statements go there (OTLP over HTTP); unset: nothing is loaded.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), {
      message: "must be an http(s) URL (the collector's OTLP/HTTP endpoint, e.g. http://localhost:4318)",
    }),
    OTEL_SERVICE_NAME: z.string().default("caja"),
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((text, ctx) => {
        const trust = parseProxyTrust(text);
        if (!trust) {
          ctx.addIssue({
            code: "custom",
            message: `"${text}" is not true, false, a number of proxy hops, or a list of proxy addresses/CIDRs`,
          });
          return z.NEVER;
        }
        return trust;
      }),
  })
  .superRefine((env, ctx) => {
    if (env.JWT_PUBLIC_KEY) {
      for (const name of ["JWT_ISSUER", "JWT_AUDIENCE"] as const) {
        if (!env[name]) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: "required with JWT_PUBLIC_KEY (a bare key accepts every token it ever signed, for any audience)",
          });
        }
      }
    }
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HTTP_HEADERS_TIMEOUT_MS"],
        message: "must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)",
      });
    }
    if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: [env.UPSTASH_REDIS_REST_URL ? "UPSTASH_REDIS_REST_TOKEN" : "UPSTASH_REDIS_REST_URL"],
        message: "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together",
      });
    }
    if (env.CAJA_WORKERS > 1 && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? "")) {
      ctx.addIssue({
        code: "custom",
        path: ["CAJA_WORKERS"],
        message: `${env.CAJA_WORKERS} workers need PostgreSQL (DATABASE_URL=postgres://...): the embedded PGlite database is opened by one process only`,
      });
    }
    if (env.CAJA_WORKERS > 1 && !env.REDIS_URL && !env.UPSTASH_REDIS_REST_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["CAJA_WORKERS"],
        message: `${env.CAJA_WORKERS} workers need Redis (REDIS_URL or UPSTASH_REDIS_REST_*): without it each worker keeps its own write and join limits, ${env.CAJA_WORKERS} times looser than configured`,
      });
    }
    if (env.REDIS_URL && (env.UPSTASH_REDIS_REST_URL || env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "set either REDIS_URL (native Redis) or UPSTASH_REDIS_REST_URL/_TOKEN (Upstash REST), not both",
      });
    }
  });

export type ServerConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

export function limitRules(config: ServerConfig): LimitRules {
  const byClass = {
    poll: config.RATE_LIMIT_POLL,
    read: config.RATE_LIMIT_READ,
    write: config.RATE_LIMIT_WRITE,
    join: config.RATE_LIMIT_JOIN,
    join_preview: config.RATE_LIMIT_JOIN_PREVIEW,
    session_join: config.RATE_LIMIT_SESSION_JOIN,
    invalid_token: config.RATE_LIMIT_INVALID_TOKEN,
  };
  return Object.fromEntries(limitClasses.map((c) => [c, byClass[c]])) as LimitRules;
}
