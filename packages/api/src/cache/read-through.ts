import type { SharedCache } from "./shared";

export interface ReadThroughOptions {
  shared?: SharedCache;
  /** Per-instance TTL. Bounds how long another instance's write can stay unseen here. */
  localTtlMs?: number;
  /** Shared TTL; local + shared TTL must stay under the 1 s cross-instance visibility goal. */
  sharedTtlMs?: number;
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
  expiresAt: number;
}

class TimeoutError extends Error {}

/**
 * Two-level read-through cache with single-flight loading: however many
 * pollers ask for one key at once, the database sees one query per instance
 * per TTL, and with a shared store one per cluster most of the time.
 * The shared store is optional and never a single point of failure: errors and
 * slow answers fall back to the loader and open a breaker.
 */
export class ReadThroughCache {
  readonly stats: CacheStats = { localHits: 0, sharedHits: 0, loads: 0, sharedErrors: 0 };
  private readonly local = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Bumped by invalidate so that a load that began before a write is not cached. */
  private readonly generation = new Map<string, number>();
  private readonly shared?: SharedCache;
  private readonly localTtlMs: number;
  private readonly sharedTtlMs: number;
  private readonly sharedTimeoutMs: number;
  private readonly breakerMs: number;
  private sharedDownUntil = 0;

  constructor(options: ReadThroughOptions = {}) {
    this.shared = options.shared;
    this.localTtlMs = options.localTtlMs ?? 200;
    this.sharedTtlMs = options.sharedTtlMs ?? 500;
    this.sharedTimeoutMs = options.sharedTimeoutMs ?? 150;
    this.breakerMs = options.breakerMs ?? 5_000;
  }

  get sharedAvailable(): boolean {
    return this.shared !== undefined && Date.now() >= this.sharedDownUntil;
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = this.local.get(key);
    if (entry && entry.expiresAt > now) {
      this.stats.localHits++;
      return Promise.resolve(entry.value as T);
    }
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const gen = this.generation.get(key) ?? 0;
    const promise: Promise<T> = this.fill(key, load, gen).then(
      (value) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        if ((this.generation.get(key) ?? 0) === gen) {
          if (this.local.size > 100_000) this.local.clear();
          this.local.set(key, { value, expiresAt: Date.now() + this.localTtlMs });
        }
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

  /** Called after a write commits: this instance sees it at once, others within the TTLs. */
  async invalidate(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.local.delete(key);
      this.inflight.delete(key);
      this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
    }
    if (this.sharedAvailable && this.shared) {
      await this.guard(this.shared.del(keys)).catch(() => undefined);
    }
  }

  private async fill<T>(key: string, load: () => Promise<T>, gen: number): Promise<T> {
    if (this.sharedAvailable && this.shared) {
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
    if (this.sharedAvailable && this.shared && (this.generation.get(key) ?? 0) === gen) {
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
