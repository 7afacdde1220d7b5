/**
 * The Caja server as a process of its own, so that its CPU time and memory can
 * be read from /proc apart from the load generator's. Configured only through
 * the environment, exactly as `pnpm start` is. With CAJA_WORKERS > 1 this
 * process forks that many workers (this same file) on one port, as main.ts does,
 * and answers the bench for them: ready once all listen, their cache counters summed.
 */
import cluster, { type Worker } from "node:cluster";
import { createCajaServer, loadConfig, stderrLogger } from "@caja/server";
import type { ChildMessage, ParentMessage } from "./ipc";
import { sendToParent, stopWith } from "./ipc";

const config = loadConfig(process.env);

if (cluster.isPrimary && config.CAJA_WORKERS > 1) {
  const workers: Worker[] = [];
  const ready: Promise<string>[] = [];
  for (let i = 0; i < config.CAJA_WORKERS; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    ready.push(
      new Promise((resolve, reject) => {
        worker.on("message", (m: ChildMessage) => m.type === "ready" && resolve(m.url));
        worker.once("exit", (code) => reject(new Error(`worker exited (${code})`)));
      }),
    );
  }
  let nextId = 1;
  const statsOf = (worker: Worker) =>
    new Promise<Record<string, number>>((resolve) => {
      const id = nextId++;
      const onMessage = (m: ChildMessage) => {
        if (m.type !== "stats" || m.id !== id) return;
        worker.off("message", onMessage);
        resolve(m.stats);
      };
      worker.on("message", onMessage);
      worker.send({ type: "stats", id } satisfies ParentMessage);
    });
  stopWith(async () => {
    const exits = workers.map((w) => {
      if (w.isDead()) return Promise.resolve();
      const exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
      w.kill("SIGTERM");
      return exited;
    });
    await Promise.all(exits);
  });
  process.on("message", (message: ParentMessage) => {
    if (message.type !== "stats") return;
    void Promise.all(workers.map(statsOf)).then((all) => {
      const stats: Record<string, number> = {};
      for (const one of all) for (const [k, v] of Object.entries(one)) stats[k] = (stats[k] ?? 0) + v;
      sendToParent({ type: "stats", id: message.id, stats });
    });
  });
  const urls = await Promise.all(ready);
  sendToParent({ type: "ready", url: urls[0] as string });
} else {
  const app = await createCajaServer(config, { logger: stderrLogger() });
  const url = await app.listen();
  stopWith(() => app.close());
  process.on("message", (message: ParentMessage) => {
    if (message.type === "stats") sendToParent({ type: "stats", id: message.id, stats: { ...app.deps.cache.stats } });
  });
  sendToParent({ type: "ready", url });
}
