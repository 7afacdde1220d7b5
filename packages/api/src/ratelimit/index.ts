export { addressLimitKey } from "./address";
export { MemoryRateLimiter } from "./memory";
export {
  defaultLimitRules,
  limitClasses,
  parseLimitRule,
  type LimitClass,
  type LimitResult,
  type LimitRule,
  type LimitRules,
  type RateLimiter,
} from "./rules";
export { countingRefusals, type RefusalCounts } from "./refusals";
export { SharedRateLimiter, type SharedLimitOptions } from "./shared";
export { spendOnSuccess } from "./spend";
