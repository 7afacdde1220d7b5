export { ReadThroughCache } from "./read-through";
export type { ReadThroughOptions, CacheStats } from "./read-through-types";
export { createSharedCache, type SharedCache } from "./shared";
