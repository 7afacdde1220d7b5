import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** A /metrics answer read by a real Prometheus text parser, and looked up by family and labels. */
export interface Scrape {
  /** The family's type as the parser read it. */
  type(name: string): string | undefined;
  /** A counter's or gauge's value for exactly these labels (a subset match); undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** A histogram's sample count for the one series with these labels (among others). */
  count(name: string, labels?: Record<string, string>): number | undefined;
}

export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
  /**
   * The parser folds every series of a histogram into one and keeps `_count` only when it has no
   * labels: so one series' lines are picked out and handed to it without their labels (but `le`).
   */
  const histogramSeries = (name: string, labels: Record<string, string>) => {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const lines = text.split("\n").filter((line) => {
      const match = new RegExp(`^${name}_(bucket|sum|count)\\{(.*)\\} `).exec(line);
      return match !== null && wanted.every((pair) => (match[2] ?? "").split(",").includes(pair));
    });
    const unlabelled = lines.map((line) =>
      line.replace(/\{(.*)\}/, (_, inner: string) => {
        const le = inner.split(",").find((pair) => pair.startsWith("le="));
        return le ? `{${le}}` : "";
      }),
    );
    return parsePrometheusTextFormat([`# TYPE ${name} histogram`, ...unlabelled, ""].join("\n"))[0]?.metrics[0];
  };
  const sample = (name: string, labels: Record<string, string>) =>
    families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return {
    type: (name) => families.get(name)?.type,
    value: (name, labels = {}) => {
      const found = sample(name, labels)?.value;
      return found === undefined ? undefined : Number(found);
    },
    count: (name, labels = {}) => {
      const found = histogramSeries(name, labels)?.count;
      return found === undefined ? undefined : Number(found);
    },
  };
}
