import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/**
 * Under CAJA_WORKERS every worker keeps its own registry, and the connection of a scrape
 * lands on any one of them: that worker asks the supervisor, which gathers every worker's
 * metrics over the cluster's IPC channel (prom-client's AggregatorRegistry) and answers the
 * sum (counters and histograms added, each gauge by its own rule), so one scrape sees the
 * whole server. Per-worker figures are in the log lines (`worker`).
 */
const ASK = "caja:metrics-ask";
const ANSWER = "caja:metrics-answer";

interface Ask {
  type: typeof ASK;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

const isAsk = (message: unknown): message is Ask => (message as Ask | null)?.type === ASK;
const isAnswer = (message: unknown): message is Answer => (message as Answer | null)?.type === ANSWER;

/** In the supervisor: answers each worker's ask with every worker's metrics summed. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isAsk(message)) return;
    const { id } = message;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: unknown) => worker.send({ type: ANSWER, id, error: String(error) } satisfies Answer),
    );
  });
}

/** In a worker: offers `registry` to the supervisor's gathering, and returns how to ask it for the sum. */
export function clusterMetricsText(registry: Registry, timeoutMs = 5000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the worker's listener for the supervisor's requests.
  new AggregatorRegistry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on("message", (message: unknown) => {
    if (!isAnswer(message)) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.text !== undefined) waiting?.resolve(message.text);
    else waiting?.reject(new Error(`metrics of the workers: ${message.error ?? "no answer"}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("metrics of the workers: the supervisor did not answer"));
      }, timeoutMs);
      pending.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      process.send?.({ type: ASK, id } satisfies Ask);
    });
}
