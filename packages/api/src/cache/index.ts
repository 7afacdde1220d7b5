export { ReadThroughCache } from "./read-through";
export type { ReadThroughOptions, CacheStats, WriteVisibility } from "./read-through-types";
export { createSharedCache, type SharedCache } from "./shared";
