import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RequestHistogram } from "../src/metrics/request-histogram";

describe("RequestHistogram", () => {
  it("writes exactly what prom-client's own histogram writes for the same observations", async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new RequestHistogram(ours, "requests_seconds", "help", buckets);
    const reference = new Histogram({
      name: "requests_seconds",
      help: "help",
      labelNames: ["method", "route", "status"],
      buckets,
      registers: [theirs],
    });
    const observations: Array<[string, string, number, number]> = [
      ["GET", "/api/sessions/{session_id}/status", 304, 0.0004],
      ["GET", "/api/sessions/{session_id}/status", 304, 0.001],
      ["GET", "/api/sessions/{session_id}/status", 200, 0.02],
      ["POST", "/api/v1/sessions", 201, 3],
      ["GET", "/api/sessions/{session_id}/status", 304, 0.5],
    ];
    const series = new Map<string, ReturnType<RequestHistogram["series"]>>();
    for (const [method, route, status, seconds] of observations) {
      const key = `${method} ${route} ${status}`;
      const found = series.get(key) ?? fast.series(method, route, status);
      series.set(key, found);
      fast.record(found, seconds);
      reference.observe({ method, route, status: String(status) }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // What workers send the supervisor to sum (CAJA_WORKERS): the same values (prom-client adds an empty exemplar slot).
    const withoutExemplars = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).map((metric) => ({
        ...metric,
        values: metric.values.map((value) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== "exemplar"))),
      }));
    expect(await withoutExemplars(ours)).toEqual(await withoutExemplars(theirs));
  });
});
