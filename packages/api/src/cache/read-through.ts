import type { CacheStats, Entry, Flight, ReadThroughOptions, WriteMark, WriteVisibility } from "./read-through-types";
import { sharedKey, type SharedCache, type SharedValue } from "./shared";

class TimeoutError extends Error {}

/**
 * Two-level read-through cache with single-flight loading: however many
 * pollers ask for one key at once, the database sees one query per instance
 * per TTL, and with a shared store one per cluster most of the time.
 *
 * Freshness, exactly: every value carries its origin, the time its database read
 * began (for a shared hit, the loading instance's clock), and no read is answered
 * with a value whose origin is `stalenessBoundMs` (local + shared TTL) or more old.
 * So a read that begins that long after a write was acknowledged on any instance
 * reflects it, whatever the deletes' timing (a refill racing another instance's
 * delete may put an older value back in the shared store: its origin still bounds it).
 * On the writing instance, a lone or `immediate` write is reflected by every read that
 * begins after it, whatever writes follow; during a burst (coalescing writes to the key less
 * than minRefreshMs apart), reads answer the last value while one reload runs, so by every
 * read after the first reload begun after it (at most minRefreshMs later) has finished.
 * The shared store is optional and never a single point of failure: errors and
 * slow answers fall back to the loader and open a breaker.
 */
export class ReadThroughCache {
  readonly stats: CacheStats = { localHits: 0, misses: 0, sharedHits: 0, loads: 0, reloads: 0, sharedErrors: 0 };
  private readonly local = new Map<string, Entry>();
  private readonly inflight = new Map<string, Flight>();
  /** Last write per key, oldest first. */
  private readonly writes = new Map<string, WriteMark>();
  /** Stands for every dropped mark still recent enough to matter (see `forget`). */
  private dropped: WriteMark | undefined;
  private writeSeq = 0;
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
  private readonly maxWriteMarks: number;
  private readonly maxEntries: number;
  private sharedDownUntil = 0;
  private readonly versions = new WeakMap<object, number>();
  private lastVersion = 0;

  constructor(options: ReadThroughOptions = {}) {
    this.shared = options.shared;
    this.localTtlMs = options.localTtlMs ?? 200;
    this.sharedTtlMs = options.sharedTtlMs ?? 500;
    this.minRefreshMs = Math.min(options.minRefreshMs ?? 50, this.localTtlMs);
    this.flushMs = options.flushMs ?? 20;
    this.maxStaleMs = options.maxStaleMs ?? 1_000;
    this.sharedTimeoutMs = options.sharedTimeoutMs ?? 150;
    this.breakerMs = options.breakerMs ?? 5_000;
    this.maxWriteMarks = options.maxWriteMarks ?? 100_000;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** No read is answered with a value whose database read began this long ago or more (instances' clocks in sync). */
  get stalenessBoundMs(): number {
    return this.localTtlMs + this.sharedTtlMs;
  }

  get sharedAvailable(): boolean {
    return this.shared !== undefined && Date.now() >= this.sharedDownUntil;
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    return Promise.resolve(this.getNow(key, load));
  }

  /**
   * `get`, but the value itself when the local entry answers (exactly when `get` would
   * without waiting): a poll's path skips a promise and an await (async hooks make each
   * cost). T must not be a promise.
   */
  getNow<T>(key: string, load: () => Promise<T>): T | Promise<T> {
    const entry = this.localAnswer(key, load);
    return entry ? (entry.value as T) : this.joinOrRefill(key, load);
  }

  /** The local entry when it answers this read (a stale-ok one starts its refill). */
  private localAnswer(key: string, load: () => Promise<unknown>): Entry | undefined {
    const entry = this.local.get(key);
    if (!entry) return undefined;
    const now = Date.now();
    const state = this.freshness(key, entry, now);
    if (state === "stale") return undefined;
    this.stats.localHits++;
    if (state === "stale-ok" && !this.inflight.has(key) && this.mayRefill(entry, now)) {
      this.refill(key, load, now).catch(() => undefined);
    }
    return entry;
  }

  /** No local answer: join the load in flight if it may answer this read, else start one. */
  private joinOrRefill<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.stats.misses++;
    const now = Date.now();
    const flight = this.inflight.get(key);
    if (flight && this.acceptable(key, flight.seq, flight.startedAt, now)) return flight.promise as Promise<T>;
    return this.refill(key, load, now);
  }

  /**
   * A number naming a value this cache answered, by content: a reload that finds the
   * same JSON keeps the value object it had, so its number stays, and a value with other
   * content gets a new number, never an earlier one. What an answer computed from cached
   * values is a function of can so be named without comparing the values (see
   * revalidation.ts). 0 for null and other non-objects.
   */
  versionOf(value: unknown): number {
    if (value === null || typeof value !== "object") return 0;
    let version = this.versions.get(value);
    if (version === undefined) {
      version = ++this.lastVersion;
      this.versions.set(value, version);
    }
    return version;
  }

  /** One load per key at a time; its result is kept with the write sequence it started from. */
  private refill<T>(key: string, load: () => Promise<T>, now: number): Promise<T> {
    const seq = this.writeSeq;
    if (this.local.has(key)) this.stats.reloads++;
    const promise: Promise<T> = this.fill(key, load, seq).then(
      ({ value: loaded, json, origin }) => {
        if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
        const current = this.local.get(key);
        const value = current?.json === json ? (current.value as T) : loaded;
        // A refill that began later may have landed first: keep the newer value.
        if (!current || current.loadedAt <= now) {
          this.store(key, { value, json, loadedAt: now, loadMs: Date.now() - now, origin, seq });
        }
        return value;
      },
      (error: unknown) => {
        if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
        throw error;
      },
    );
    this.inflight.set(key, { promise, startedAt: now, seq });
    return promise;
  }

  private store(key: string, entry: Entry): void {
    this.local.delete(key);
    this.local.set(key, entry);
    if (this.local.size > this.maxEntries) {
      const oldest = this.local.keys().next();
      if (!oldest.done) this.local.delete(oldest.value);
    }
  }

  /**
   * Called after a write commits; seen here as `visibility` says, on other instances within the
   * staleness bound. Synchronous (the shared deletes are batched on a timer); the promise keeps
   * the callers' contract should that delete ever be awaited here.
   */
  invalidate(keys: string[], visibility: WriteVisibility = "coalesce"): Promise<void> {
    const now = Date.now();
    for (const key of keys) {
      const mark = this.writes.get(key);
      const burst = visibility === "coalesce" && mark !== undefined && now - mark.at < this.minRefreshMs;
      const seq = ++this.writeSeq;
      this.writes.delete(key);
      this.writes.set(key, { seq, at: now, burst, floor: visibility === "immediate" ? seq : (mark?.floor ?? 0) });
      if (this.shared) this.pendingSharedDeletes.add(key);
    }
    while (this.writes.size > this.maxWriteMarks) this.forget(now);
    if (this.shared && !this.flushTimer && this.pendingSharedDeletes.size > 0) {
      this.flushTimer = setTimeout(() => this.flushSharedDeletes(), this.flushMs);
      this.flushTimer.unref();
    }
    return Promise.resolve();
  }

  /**
   * Drops the oldest mark. One older than any value still answerable (localTtl + maxStale) and
   * than the shared skip after a write (sharedTtl) is no loss; a younger one is remembered as
   * `dropped`, which then counts as a lone write to every key without a mark of its own: their
   * older values reload, none is served stale.
   */
  private forget(now: number): void {
    const oldest = this.writes.entries().next();
    if (oldest.done) return;
    const [key, mark] = oldest.value;
    this.writes.delete(key);
    if (now - mark.at < Math.max(this.localTtlMs + this.maxStaleMs, this.sharedTtlMs) + this.minRefreshMs) {
      this.dropped = { seq: mark.seq, at: mark.at, burst: false, floor: mark.seq };
    }
  }

  private markOf(key: string): WriteMark | undefined {
    return this.writes.get(key) ?? this.dropped;
  }

  /**
   * Whether a value (or a load in flight) that began at `startedAt`, at write sequence `seq`,
   * may answer a read now: after a write of this instance only during its burst, within
   * minRefreshMs, and never when it began before the key's last `immediate` write; otherwise
   * within the local TTL.
   */
  private acceptable(key: string, seq: number, startedAt: number, now: number): boolean {
    const mark = this.markOf(key);
    if (mark && mark.seq > seq) return mark.burst && seq >= mark.floor && now - startedAt < this.minRefreshMs;
    return now - startedAt < this.localTtlMs;
  }

  /**
   * fresh: answered as is. stale-ok: answered while a refill runs (past its TTL by at most
   * maxStaleMs; during a burst of writes here, past minRefreshMs; never past the staleness
   * bound). stale: reloaded first; a lone write here, or an `immediate` one (whatever writes
   * follow it), always lands here, so writers read their writes.
   */
  private freshness(key: string, entry: Entry, now: number): "fresh" | "stale-ok" | "stale" {
    const mark = this.markOf(key);
    if (mark && mark.seq > entry.seq) {
      if (entry.seq < mark.floor) return "stale";
      // A burst-time value is measured from its origin: whatever it shows began no earlier.
      if (this.acceptable(key, entry.seq, entry.origin, now)) return "fresh";
      // In a burst every read past minRefreshMs would otherwise wait for a reload, and a slow
      // load (results read every answer) makes that every read: a room's polls queue behind it.
      const inBurst = mark.burst && this.maxStaleMs > 0;
      return inBurst && now - entry.origin < this.stalenessBoundMs ? "stale-ok" : "stale";
    }
    if (now - entry.loadedAt < this.localTtlMs) return "fresh";
    const withinBound = now - entry.origin < this.stalenessBoundMs;
    return withinBound && now - entry.loadedAt < this.localTtlMs + this.maxStaleMs ? "stale-ok" : "stale";
  }

  /**
   * Whether a stale-ok read starts the refill now. During a burst, reloads of a key follow
   * each other for as long as writes come; a slow one (hundreds of rows) is followed by as
   * much idle time as it took, so one key holds the database at most half the time. The
   * staleness bound still holds: past it a read waits for the reload (freshness()).
   */
  private mayRefill(entry: Entry, now: number): boolean {
    return now - (entry.loadedAt + entry.loadMs) >= entry.loadMs;
  }

  private flushSharedDeletes(): void {
    this.flushTimer = null;
    const keys = [...this.pendingSharedDeletes];
    this.pendingSharedDeletes.clear();
    if (keys.length === 0 || !this.sharedAvailable || !this.shared) return;
    void this.guard(this.shared.del(keys.map(sharedKey))).catch(() => undefined);
  }

  private async fill<T>(key: string, load: () => Promise<T>, seq: number): Promise<{ value: T; json: string; origin: number }> {
    // After a write of ours the shared copy may predate it (its delete may still be queued): skip it.
    const recentWrite = (this.markOf(key)?.at ?? 0) > Date.now() - this.sharedTtlMs;
    if (this.sharedAvailable && this.shared && !recentWrite) {
      try {
        const raw = await this.guard(this.shared.get(sharedKey(key)));
        if (raw !== null && raw !== undefined) {
          const got = Date.now();
          const stored = JSON.parse(raw) as SharedValue;
          // Older than the shared TTL (a SET that landed late): as good as absent.
          const origin = Math.min(stored.o, got);
          if (got - origin < this.sharedTtlMs) {
            this.stats.sharedHits++;
            return { value: stored.v as T, json: JSON.stringify(stored.v) ?? "null", origin };
          }
        }
      } catch {
        // Counted and breaker opened in guard(); the database answers instead.
      }
    }
    this.stats.loads++;
    const origin = Date.now();
    const value = await load();
    // A write here during the load has already deleted the shared key: do not put the old value back.
    const ttl = this.sharedTtlMs - (Date.now() - origin);
    if (this.sharedAvailable && this.shared && ttl > 0 && (this.markOf(key)?.seq ?? 0) <= seq) {
      const stored: SharedValue = { o: origin, v: value };
      void this.guard(this.shared.set(sharedKey(key), JSON.stringify(stored), ttl)).catch(() => undefined);
    }
    return { value, json: JSON.stringify(value) ?? "null", origin };
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
