/**
 * Latency and outcome counters for one route. Samples are kept whole (8 bytes
 * each; a 10,000-participant run of two minutes is ~2.5 M samples, ~20 MB) so
 * percentiles are exact rather than bucketed.
 */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class Samples {
  private data = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  summary(): LatencySummary {
    if (this.size === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    const sorted = this.data.slice(0, this.size).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    // Nearest-rank percentile: the value at or below which p% of the samples fall.
    const at = (p: number) => sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))] as number;
    return {
      count: this.size,
      mean: sum / this.size,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: sorted[this.size - 1] as number,
    };
  }
}

export interface RouteSummary {
  route: string;
  requests: number;
  /** Requests per second scheduled in the measured window (all were sent; see errors for how they ended). */
  throughput: number;
  /** Answered 2xx/304 per second of the window. */
  okPerSecond: number;
  latencyMs: LatencySummary;
  /** 2xx + 304. */
  ok: number;
  notModified: number;
  /** Share of answers that were 304 (0..1). */
  notModifiedShare: number;
  /** 4xx, 5xx and network errors: anything but 2xx/304. */
  errors: number;
  serverErrors: number;
  networkErrors: number;
  /** Not sent: the generator's backlog for this pool was full (the server was that far behind). */
  shed: number;
  statuses: Record<string, number>;
}

/** What happened to the requests of one route inside the measured window. */
export class RouteStats {
  readonly latency = new Samples();
  private notModified = 0;
  private ok = 0;
  private networkErrors = 0;
  private shed = 0;
  private readonly statuses = new Map<number, number>();

  constructor(readonly route: string) {}

  record(latencyMs: number, status: number): void {
    this.latency.add(latencyMs);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status === 304) this.notModified++;
    if ((status >= 200 && status < 300) || status === 304) this.ok++;
  }

  /** No answer at all (refused, reset, timed out). Latency is still counted, up to the failure. */
  /** Counted as an error at the request timeout: the backlog ahead of it was at least that long. */
  recordShed(timeoutMs: number): void {
    this.latency.add(timeoutMs);
    this.shed++;
  }

  recordNetworkError(latencyMs: number): void {
    this.latency.add(latencyMs);
    this.networkErrors++;
  }

  summary(windowSeconds: number): RouteSummary {
    const requests = this.latency.count;
    let serverErrors = 0;
    const statuses: Record<string, number> = {};
    for (const [status, n] of [...this.statuses].sort((a, b) => a[0] - b[0])) {
      statuses[String(status)] = n;
      if (status >= 500) serverErrors += n;
    }
    return {
      route: this.route,
      requests,
      throughput: windowSeconds > 0 ? requests / windowSeconds : 0,
      okPerSecond: windowSeconds > 0 ? this.ok / windowSeconds : 0,
      latencyMs: this.latency.summary(),
      ok: this.ok,
      notModified: this.notModified,
      notModifiedShare: requests > 0 ? this.notModified / requests : 0,
      errors: requests - this.ok,
      serverErrors,
      networkErrors: this.networkErrors,
      shed: this.shed,
      statuses,
    };
  }
}

/** Counts 5xx over the whole run (setup, scenario, drain, peak), not only the window. */
export class ErrorLedger {
  serverErrors = 0;
  readonly examples: string[] = [];

  note(what: string, status: number, detail = "", count = 1): void {
    if (status < 500) return;
    this.serverErrors += count;
    if (this.examples.length < 10) this.examples.push(`${what}: ${status} ${detail.slice(0, 200)}`);
  }
}
