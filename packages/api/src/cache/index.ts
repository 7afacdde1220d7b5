export { ReadThroughCache, type ReadThroughOptions, type CacheStats } from "./read-through";
export { createUpstashCache, createUpstashRedis, type SharedCache, type UpstashConfig } from "./shared";
