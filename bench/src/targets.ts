import type { PeakResult } from "./peak";
import type { WritePlan } from "./scenario";
import type { RouteSummary } from "./stats";

export interface TargetVerdict {
  target: string;
  /** null: this run's parameters do not exercise the target. */
  met: boolean | null;
  measured: string;
}

export interface TargetInput {
  participants: number;
  writes: WritePlan;
  followPollInterval: boolean;
  routes: RouteSummary[];
  lost: number;
  peak: PeakResult[] | null;
}

const isDefaultWrites = (w: WritePlan) => w.kind === "share" && w.share === 0.1 && w.everyMs === 10_000;

/** The worst p99 over every scenario route: a target holds only if it holds for all of them. */
function worst(routes: RouteSummary[]) {
  const top = routes.reduce<RouteSummary | null>((a, b) => (a && a.latencyMs.p99 >= b.latencyMs.p99 ? a : b), null);
  const errors = routes.reduce((n, r) => n + r.errors, 0);
  return { p99: top?.latencyMs.p99 ?? 0, route: top?.route ?? "-", errors };
}

/** The targets, each judged only by a run whose parameters match it. */
export function evaluateTargets(input: TargetInput): TargetVerdict[] {
  const w = worst(input.routes);
  const each = input.routes
    .map((r) => `${r.route.replace(/^(GET|POST) /, "").replace(/ \((\w+) presenter\)$/, " by $1")} ${r.latencyMs.p99.toFixed(1)}`)
    .join(", ");
  const latency = `worst p99 ${w.p99.toFixed(1)} ms (${w.route}); p99 ms: ${each}; ${w.errors} errors`;
  const verdicts: TargetVerdict[] = [];

  // The room polls every 2 s whatever the server advises; following poll_interval_ms is another scenario.
  const fixed = !input.followPollInterval;
  const room2k = fixed && input.participants === 2000 && isDefaultWrites(input.writes);
  verdicts.push({
    target: "2,000 participants: p99 <= 25 ms, 0 errors",
    met: room2k ? w.p99 <= 25 && w.errors === 0 : null,
    measured: room2k ? latency : "run with the defaults (2,000 participants polling every 2 s, 10% writing every 10 s)",
  });

  const room10k = fixed && input.participants === 10_000 && input.writes.kind === "rate" && input.writes.perSecond === 500;
  verdicts.push({
    target: "10,000 participants with 500 submissions/s: p99 <= 100 ms, 0 errors, 0 lost",
    met: room10k ? w.p99 <= 100 && w.errors === 0 && input.lost === 0 : null,
    measured: room10k ? `${latency}, ${input.lost} lost` : "run with --participants 10000 --write-rate 500 (fixed 2 s polls)",
  });

  for (const [expect, floor] of [
    [304, 0.5],
    [200, 0.25],
  ] as const) {
    const runs = input.peak?.filter((p) => p.expect === expect && p.ratio !== null) ?? [];
    const lowest = runs.reduce<PeakResult | null>((a, b) => (a && (a.ratio ?? 0) <= (b.ratio ?? 0) ? a : b), null);
    verdicts.push({
      target: `polling route throughput >= ${floor * 100}% of the bare baseline on the ${expect} path`,
      met: lowest ? (lowest.ratio ?? 0) >= floor : null,
      measured: lowest ? runs.map((p) => `${p.name} ${(100 * (p.ratio ?? 0)).toFixed(0)}%`).join(", ") : "peak phase skipped",
    });
  }

  // Sustained: every submission offered in the window answered 2xx, at the offered rate, with no queue building up.
  const submit = input.routes.find((r) => r.route.startsWith("POST"));
  const rate = input.writes.kind === "rate" ? input.writes.perSecond : 0;
  const sustained =
    submit !== undefined && submit.errors === 0 && submit.okPerSecond >= 0.98 * rate && submit.latencyMs.p99 <= 1000;
  verdicts.push({
    target: "1,000 submissions/s into one activity, sustained (all 2xx at >= 98% of the offered rate, p99 <= 1 s)",
    met: rate >= 1000 ? sustained : null,
    measured:
      rate >= 1000 && submit
        ? `${submit.okPerSecond.toFixed(0)}/s answered 2xx of ${rate}/s offered, ${submit.errors} errors, p99 ${submit.latencyMs.p99.toFixed(1)} ms`
        : "run with --write-rate 1000",
  });
  return verdicts;
}
