import cluster, { type Worker } from "node:cluster";
import type { Logger } from "./logging/logger";

/**
 * `CAJA_WORKERS=n`: this process becomes a supervisor that forks n full
 * server instances (main.ts again, each with its own database pool, Redis
 * connection and caches) listening on one port; node:cluster hands each new
 * connection to the next worker. They share state only through PostgreSQL and
 * Redis, exactly as instances on several machines do (the configuration refuses
 * PGlite and a missing Redis for more than one worker).
 *
 * SIGTERM/SIGINT reach every worker, each drains its requests (SHUTDOWN_TIMEOUT_MS),
 * and the supervisor exits 0 once all have exited cleanly. A worker that dies
 * while serving is replaced; one that dies before it ever listened stops the lot
 * (a bad database URL would otherwise restart forever).
 */
export function superviseWorkers(count: number, shutdownTimeoutMs: number, logger: Pick<Logger, "info" | "warn">): void {
  const listening = new Set<Worker>();
  let stopping = false;
  let failed = false;
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.once("listening", (address) => {
      listening.add(worker);
      if (!announced && listening.size === count) {
        announced = true;
        logger.info(`${count} workers listening on port ${address.port} (supervisor pid ${process.pid})`);
      }
    });
    worker.once("exit", (code, signal) => {
      const served = listening.delete(worker);
      if (stopping) {
        if (code !== 0) failed = true;
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
        return;
      }
      if (!served) {
        logger.warn(`worker pid ${worker.process.pid} exited (${signal ?? code}) before listening: stopping`);
        failed = true;
        stop("a worker failed to start");
        return;
      }
      logger.warn(`worker pid ${worker.process.pid} exited (${signal ?? code}): starting another`);
      fork();
    });
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    // A worker's own deadline is SHUTDOWN_TIMEOUT_MS + 1.5 s; this one only catches a wedged process.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }, shutdownTimeoutMs + 5_000).unref();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
  };

  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  for (let i = 0; i < count; i++) fork();
}
