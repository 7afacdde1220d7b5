export { ReadThroughCache, type ReadThroughOptions, type CacheStats } from "./read-through";
export { createSharedCache, type SharedCache } from "./shared";
