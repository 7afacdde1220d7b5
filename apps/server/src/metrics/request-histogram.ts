import { Histogram, type Registry } from "prom-client";

type Label = "method" | "route" | "status" | "le";

/** One series: its labels, observations per bucket (not cumulative; the last is +Inf), their sum and count. */
interface Series {
  labels: { method: string; route: string; status: string };
  counts: number[];
  sum: number;
  count: number;
}

/**
 * `caja_http_request_duration_seconds`, the one metric the request path updates. prom-client's
 * own histogram validates and hashes the labels on every observation (its bound `labels()` child
 * too): about half a microsecond a request, a twentieth of a poll answered in process
 * (bench/src/observe-cost.ts). Here each series is found once (ServerMetrics keeps it by method,
 * route and status) and an observation is a few additions; prom-client still formats, and under
 * CAJA_WORKERS aggregates, what `get` reports, exactly as for its own histogram.
 */
export class RequestHistogram extends Histogram<Label> {
  private readonly all: Series[] = [];
  /** Never observed: what prom-client reports for a histogram of this name with no series (name, help, type, aggregator). */
  private readonly empty: Histogram<Label>;

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly bounds: number[],
  ) {
    super({ name, help, labelNames: ["method", "route", "status"], buckets: bounds, registers: [registry] });
    this.empty = new Histogram({ name, help, labelNames: ["method", "route", "status"], buckets: bounds, registers: [] });
  }

  series(method: string, route: string, status: number): Series {
    const series: Series = {
      labels: { method, route, status: String(status) },
      counts: new Array<number>(this.bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    this.all.push(series);
    return series;
  }

  record(series: Series, seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    series.counts[i] = (series.counts[i] ?? 0) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** What prom-client's histogram reports: cumulative `_bucket`s with `le`, then `_sum` and `_count`, per series. */
  override async get() {
    const base = await this.empty.get();
    const values: Array<{ labels: Partial<Record<Label, string | number>>; value: number; metricName: string }> = [];
    for (const series of this.all) {
      let cumulative = 0;
      series.counts.forEach((n, i) => {
        cumulative += n;
        values.push({
          labels: { le: this.bounds[i] ?? "+Inf", ...series.labels },
          value: cumulative,
          metricName: `${base.name}_bucket`,
        });
      });
      values.push({ labels: series.labels, value: series.sum, metricName: `${base.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${base.name}_count` });
    }
    return { ...base, values };
  }

  /** The registry's text output asks this (when a metric has it) before `get`: prom-client's own version reads its private store. */
  getForPromString() {
    return this.get();
  }
}

export type { Series as RequestSeries };
