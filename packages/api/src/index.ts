export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createCallerFactory, type CajaMeta } from "./trpc";
export { checkPoll, type PollCheck, type PollState } from "./revalidation";
export { recordAnswerBound, type AnswerBound, type AnswerSizes } from "./answer-bounds";
export { accessRules, accessDescriptions, type AccessRule } from "./access/policy";
export {
  createContext,
  receiveStamp,
  type RequestTiming,
  type Context,
  type ApiDeps,
  type ApiSettings,
  type HeaderReader,
  type CreateContextOptions,
} from "./context";
export { CajaError, errorCodes, toWireError, toCajaError, toTRPCError, type ErrorCode, type WireError } from "./errors";
export { TokenService, bearerToken, parseDuration, type Claims, type TokenConfig, type Role } from "./auth/tokens";
export { ReadThroughCache, createSharedCache, type SharedCache, type CacheStats } from "./cache";
export { createNativeRedis, createRedisStore, createUpstashRedis, type RedisStore, type UpstashConfig } from "./redis";
export {
  addressLimitKey,
  MemoryRateLimiter,
  countingRefusals,
  type RefusalCounts,
  SharedRateLimiter,
  defaultLimitRules,
  parseLimitRule,
  limitClasses,
  type RateLimiter,
  type LimitRules,
  type LimitClass,
  type LimitRule,
} from "./ratelimit";
export { Presence } from "./services/presence";
export { exportResponses, type ExportedResponse, type ExportScope, type ExportOptions } from "./services/export";
export { exportColumns, toExportRow, type ExportRow } from "./schemas/export";
export { IdempotencySweeper, sweepIdempotencyKeys, IDEMPOTENCY_KEY_TTL_HOURS } from "./services/idempotency";
export { SeatCheck } from "./services/seats";
export { PollGovernor } from "./poll-interval";
export * as schemas from "./schemas";
