import type { SharedCache } from "./shared";

export interface ReadThroughOptions {
  shared?: SharedCache;
  /** Per-instance TTL. Bounds how long another instance's write can stay unseen here. */
  localTtlMs?: number;
  /** Shared TTL; local + shared TTL must stay under the 1 s cross-instance visibility goal. */
  sharedTtlMs?: number;
  /**
   * During a burst of writes to one key (1,000/s into one activity), a value
   * younger than this is still served, then reloaded: one reload per key per
   * interval instead of one per write. A lone write is seen at once.
   */
  minRefreshMs?: number;
  /**
   * A value this much past its TTL (or invalidated during a write burst) is still
   * answered while one refill runs in the background: pollers never queue behind
   * a refill that itself queues behind writes. 0 turns this off.
   */
  maxStaleMs?: number;
  /** Shared invalidations are sent together, at most this often. */
  flushMs?: number;
  /** A shared-cache call slower than this is abandoned and the database answers. */
  sharedTimeoutMs?: number;
  /** After a shared-cache failure it is skipped for this long. */
  breakerMs?: number;
}

export interface CacheStats {
  localHits: number;
  sharedHits: number;
  loads: number;
  sharedErrors: number;
}

interface Entry {
  value: unknown;
  loadedAt: number;
  /** The key's write version when the load began. */
  version: number;
}

interface WriteMark {
  version: number;
  at: number;
  /** This write came within minRefreshMs of the previous one: a burst. */
  burst: boolean;
}

class TimeoutError extends Error {}

/**
 * Two-level read-through cache with single-flight loading: however many
 * pollers ask for one key at once, the database sees one query per instance
 * per TTL, and with a shared store one per cluster most of the time.
 * Writes mark keys stale rather than dropping them (see `minRefreshMs`), and
 * their shared invalidations are batched.
 * The shared store is optional and never a single point of failure: errors and
 * slow answers fall back to the loader and open a breaker.
 */
export class ReadThroughCache {
  readonly stats: CacheStats = { localHits: 0, sharedHits: 0, loads: 0, sharedErrors: 0 };
  private readonly local = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly writes = new Map<string, WriteMark>();
  private readonly pendingSharedDeletes = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly shared?: SharedCache;
  private readonly localTtlMs: number;
  private readonly sharedTtlMs: number;
  private readonly minRefreshMs: number;
  private readonly flushMs: number;
  private readonly maxStaleMs: number;
  private readonly sharedTimeoutMs: number;
  private readonly breakerMs: number;
  private sharedDownUntil = 0;

  constructor(options: ReadThroughOptions = {}) {
    this.shared = options.shared;
    this.localTtlMs = options.localTtlMs ?? 200;
    this.sharedTtlMs = options.sharedTtlMs ?? 500;
    this.minRefreshMs = Math.min(options.minRefreshMs ?? 50, this.localTtlMs);
    this.flushMs = options.flushMs ?? 20;
    this.maxStaleMs = options.maxStaleMs ?? 1_000;
    this.sharedTimeoutMs = options.sharedTimeoutMs ?? 150;
    this.breakerMs = options.breakerMs ?? 5_000;
  }

  get sharedAvailable(): boolean {
    return this.shared !== undefined && Date.now() >= this.sharedDownUntil;
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = this.local.get(key);
    const state = entry ? this.freshness(key, entry, now) : "missing";
    if (entry && state === "fresh") {
      this.stats.localHits++;
      return Promise.resolve(entry.value as T);
    }
    if (entry && state === "stale-ok") {
      this.stats.localHits++;
      if (!this.inflight.has(key)) this.refill(key, load, now).catch(() => undefined);
      return Promise.resolve(entry.value as T);
    }
    return (this.inflight.get(key) as Promise<T> | undefined) ?? this.refill(key, load, now);
  }

  /** One load per key at a time; its result is kept with the write version it started from. */
  private refill<T>(key: string, load: () => Promise<T>, now: number): Promise<T> {
    const version = this.writes.get(key)?.version ?? 0;
    const promise: Promise<T> = this.fill(key, load, version).then(
      (value) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        if (this.local.size > 100_000) this.local.clear();
        this.local.set(key, { value, loadedAt: now, version });
        return value;
      },
      (error: unknown) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        throw error;
      },
    );
    this.inflight.set(key, promise);
    return promise;
  }

  /**
   * Called after a write commits. A lone write is seen here at once; during a
   * burst, within minRefreshMs. Other instances see it within the TTLs.
   * The work is synchronous (the shared deletes are batched on a timer); the promise keeps the
   * callers' contract should that delete ever be awaited here.
   */
  invalidate(keys: string[]): Promise<void> {
    const now = Date.now();
    for (const key of keys) {
      const mark = this.writes.get(key);
      const burst = mark !== undefined && now - mark.at < this.minRefreshMs;
      this.writes.set(key, { version: (mark?.version ?? 0) + 1, at: now, burst });
      // A load that began before this write must not be shared by later callers.
      this.inflight.delete(key);
      if (this.shared) this.pendingSharedDeletes.add(key);
    }
    if (this.writes.size > 100_000) this.writes.clear();
    if (this.shared && !this.flushTimer && this.pendingSharedDeletes.size > 0) {
      this.flushTimer = setTimeout(() => this.flushSharedDeletes(), this.flushMs);
      this.flushTimer.unref();
    }
    return Promise.resolve();
  }

  /**
   * fresh: within its TTL and no write since its load began (during a write
   * burst: younger than minRefreshMs). stale-ok: may be answered while a refill
   * runs (past its TTL, or behind a burst, by at most maxStaleMs). stale: must
   * be reloaded first; a lone write always lands here, so writers read their writes.
   */
  private freshness(key: string, entry: Entry, now: number): "fresh" | "stale-ok" | "stale" {
    const age = now - entry.loadedAt;
    const mark = this.writes.get(key);
    const written = mark !== undefined && mark.version !== entry.version;
    if (written && !mark.burst) return "stale";
    if (written) return age < this.minRefreshMs ? "fresh" : age < this.minRefreshMs + this.maxStaleMs ? "stale-ok" : "stale";
    return age < this.localTtlMs ? "fresh" : age < this.localTtlMs + this.maxStaleMs ? "stale-ok" : "stale";
  }

  private flushSharedDeletes(): void {
    this.flushTimer = null;
    const keys = [...this.pendingSharedDeletes];
    this.pendingSharedDeletes.clear();
    if (keys.length === 0 || !this.sharedAvailable || !this.shared) return;
    void this.guard(this.shared.del(keys)).catch(() => undefined);
  }

  private async fill<T>(key: string, load: () => Promise<T>, version: number): Promise<T> {
    // After a write of ours the shared copy is stale (its delete may still be queued): skip it.
    const recentWrite = (this.writes.get(key)?.at ?? 0) > Date.now() - this.sharedTtlMs;
    if (this.sharedAvailable && this.shared && !recentWrite) {
      try {
        const raw = await this.guard(this.shared.get(key));
        if (raw !== null && raw !== undefined) {
          this.stats.sharedHits++;
          return JSON.parse(raw) as T;
        }
      } catch {
        // Counted and breaker opened in guard(); the database answers instead.
      }
    }
    this.stats.loads++;
    const value = await load();
    // A write during the load has already deleted the shared key: do not put the old value back.
    if (this.sharedAvailable && this.shared && (this.writes.get(key)?.version ?? 0) === version) {
      void this.guard(this.shared.set(key, JSON.stringify(value), this.sharedTtlMs)).catch(() => undefined);
    }
    return value;
  }

  private guard<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError("shared cache timeout")), this.sharedTimeoutMs);
    });
    return Promise.race([call, timeout]).then(
      (value) => {
        clearTimeout(timer);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.stats.sharedErrors++;
        this.sharedDownUntil = Date.now() + this.breakerMs;
        throw error;
      },
    );
  }
}
