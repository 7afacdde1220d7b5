import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { CacheStats, RefusalCounts } from "@caja/api";
import type { PoolStats } from "@caja/db";
import { RequestHistogram, type RequestSeries } from "./request-histogram";

/** The counters the packages keep as plain numbers (they know nothing of Prometheus), read at each scrape. */
export interface MetricSources {
  cache: CacheStats;
  /** Absent on PGlite (no pool). */
  pool?: PoolStats;
  refusals: RefusalCounts;
  /** The poll interval clients are told now (it grows when the event loop falls behind). */
  pollIntervalMs: () => number;
}

/** Sub-millisecond buckets at the bottom: a poll answered from a kept answer takes tens of microseconds. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per server (not prom-client's global one: tests and the bench run several
 * servers in one process). Requests are observed per call; everything else is read from
 * its package's counters when scraped, so the request path pays one histogram observation.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestHistogram;
  /** Each series by method, route and status: looked up, never built, per request. */
  private readonly series = new Map<string, Map<string, Map<number, RequestSeries>>>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestHistogram(
      this.registry,
      "caja_http_request_duration_seconds",
      "HTTP requests by method, route template and status: latency from arrival to the last byte handed to the socket (_count: requests)",
      latencyBuckets,
    );

    const { cache, pool, refusals } = sources;
    pulledCounter(
      this.registry,
      "caja_cache_hits_total",
      "Cache reads answered without waiting for a load, by layer (shared: a load answered by Redis)",
      "layer",
      {
        local: () => cache.localHits,
        shared: () => cache.sharedHits,
      },
    );
    pulledCounter(
      this.registry,
      "caja_cache_misses_total",
      "Cache reads that waited for a load (joined one in flight or started it)",
      undefined,
      {
        "": () => cache.misses,
      },
    );
    pulledCounter(this.registry, "caja_cache_loads_total", "Cache loads from the database", undefined, { "": () => cache.loads });
    pulledCounter(
      this.registry,
      "caja_cache_reloads_total",
      "Cache loads of a key this instance held (expired, or written)",
      undefined,
      {
        "": () => cache.reloads,
      },
    );
    pulledCounter(
      this.registry,
      "caja_cache_shared_errors_total",
      "Shared cache (Redis) calls that failed or timed out",
      undefined,
      {
        "": () => cache.sharedErrors,
      },
    );
    pulledCounter(
      this.registry,
      "caja_rate_limit_refusals_total",
      "Requests the rate limiter refused, by class",
      "class",
      Object.fromEntries(Object.keys(refusals).map((cls) => [cls, () => refusals[cls as keyof RefusalCounts]])),
    );
    if (pool) {
      pulledGauge(this.registry, "caja_db_pool_size", "Connections the database pool may open", () => pool.size);
      pulledGauge(
        this.registry,
        "caja_db_pool_in_use",
        "Pool connections held by a statement or a transaction",
        () => pool.inUse,
      );
      pulledGauge(
        this.registry,
        "caja_db_pool_waiting",
        "Statements and transactions waiting for a pool connection",
        () => pool.waiting,
      );
      pulledCounter(
        this.registry,
        "caja_db_pool_waits_total",
        "Statements and transactions that found every pool connection taken",
        undefined,
        {
          "": () => pool.waits,
        },
      );
      pulledCounter(
        this.registry,
        "caja_db_statement_timeouts_total",
        "Statements PostgreSQL cancelled at statement_timeout",
        undefined,
        {
          "": () => pool.statementTimeouts,
        },
      );
      pulledCounter(
        this.registry,
        "caja_db_deadline_cancels_total",
        "Statements and transactions withdrawn or cancelled at their request's deadline (answered 503)",
        undefined,
        { "": () => pool.deadlineCancels },
      );
    }
    new Gauge({
      name: "caja_poll_interval_seconds",
      help: "The poll interval clients are told (grows when the event loop falls behind)",
      registers,
      aggregator: "max",
      collect() {
        this.set(sources.pollIntervalMs() / 1000);
      },
    });
  }

  /** One finished request. `route` is a template or a fixed label, never a raw path (bounded label values). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.series.get(method);
    if (!byRoute) this.series.set(method, (byRoute = new Map<string, Map<number, RequestSeries>>()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map<number, RequestSeries>()));
    let series = byStatus.get(status);
    if (!series) byStatus.set(status, (series = this.requests.series(method, route, status)));
    this.requests.record(series, seconds);
  }
}

/** A counter whose value lives elsewhere: each scrape adds what it grew by since the last. */
function pulledCounter(
  registry: Registry,
  name: string,
  help: string,
  labelName: string | undefined,
  readers: Record<string, () => number>,
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: labelName ? [labelName] : [],
    registers: [registry],
    collect() {
      for (const [value, read] of Object.entries(readers)) {
        const now = read();
        const grown = now - (last.get(value) ?? 0);
        last.set(value, now);
        if (labelName) this.inc({ [labelName]: value }, grown);
        else this.inc(grown);
      }
    },
  });
}

function pulledGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
