import type { SharedCache } from "./shared";

/** The read-through cache's settings and what it keeps per key (read-through.ts holds the rules). */
export interface ReadThroughOptions {
  shared?: SharedCache;
  /** Per-instance TTL. */
  localTtlMs?: number;
  /**
   * Shared TTL, counted from the start of the database read behind a value. local + shared TTL
   * is the staleness bound (see `stalenessBoundMs`).
   */
  sharedTtlMs?: number;
  /**
   * During a burst of writes to one key (1,000/s into one activity), a value
   * read less than this before is still served, then served while one reload runs
   * (readers never queue behind it): at most one reload per key per interval instead
   * of one per write. A lone write is seen at once.
   */
  minRefreshMs?: number;
  /**
   * A value up to this much past its TTL is still answered while one refill runs in the
   * background (pollers never queue behind a refill that itself queues behind writes),
   * but never past the staleness bound, nor once this instance wrote the key outside a burst.
   * 0 turns this off (then a burst's reads past minRefreshMs wait for the reload too).
   */
  maxStaleMs?: number;
  /** Write marks kept (oldest dropped first); a dropped recent mark makes older values reload. */
  maxWriteMarks?: number;
  /** Values kept (least recently loaded dropped first). */
  maxEntries?: number;
  /** Shared invalidations are sent together, at most this often. */
  flushMs?: number;
  /** A shared-cache call slower than this is abandoned and the database answers. */
  sharedTimeoutMs?: number;
  /** After a shared-cache failure it is skipped for this long. */
  breakerMs?: number;
}

/** Counters since start, read by the server's /metrics (this package knows nothing of it). */
export interface CacheStats {
  /** Reads answered by this instance's copy. */
  localHits: number;
  /** Reads with no local answer: they waited for a load (joined one in flight or started it). */
  misses: number;
  /** Loads answered by the shared store. */
  sharedHits: number;
  /** Loads from the database. */
  loads: number;
  /** Loads (shared or database) of a key this instance held: expired, or written. */
  reloads: number;
  sharedErrors: number;
}

export interface Entry {
  value: unknown;
  /** The value as JSON: a reload that finds the same keeps this entry's value object (see versionOf). */
  json: string;
  /** When this instance began loading it. */
  loadedAt: number;
  /** How long that load took: a burst's reloads leave the database at least as long idle (see mayRefill). */
  loadMs: number;
  /** No later than the start of the database read it shows (another instance's, for a shared hit). */
  origin: number;
  /** The write sequence number when the load began: a mark above it is a write the value may miss. */
  seq: number;
}

export interface Flight {
  promise: Promise<unknown>;
  startedAt: number;
  seq: number;
}

export interface WriteMark {
  seq: number;
  at: number;
  /** This write came within minRefreshMs of the previous one and coalesces: a burst. */
  burst: boolean;
  /**
   * The sequence number of the key's last `immediate` write (0: none): no value loaded before it
   * answers a read, whatever writes, burst or not, came after it.
   */
  floor: number;
}

/**
 * How a write is seen by reads on the writing instance. `coalesce`: at once when it is a lone
 * write; in a burst (writes to the key under minRefreshMs apart), once the first reload begun
 * after it has finished (counts may lag that long). `immediate`: by every read that begins after
 * it, burst or not (a lifecycle change, results hidden or shown, moderation).
 */
export type WriteVisibility = "coalesce" | "immediate";
