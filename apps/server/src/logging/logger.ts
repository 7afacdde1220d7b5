import cluster from "node:cluster";
import { hostname } from "node:os";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default (pretty when it is a terminal and pino-pretty is installed). */
  destination?: DestinationStream;
}

/**
 * The server's one logger: JSON lines (pino) with the instance in each (`pid`, `hostname`,
 * and `worker` under CAJA_WORKERS). Written asynchronously: a request's line costs its
 * serialisation, not a write system call. On a terminal the lines are made readable by
 * pino-pretty, a development dependency: where it is not installed (a production image)
 * the JSON stays.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const settings = {
    level: options.level,
    base: {
      pid: process.pid,
      hostname: hostname(),
      ...(cluster.isWorker && cluster.worker ? { worker: cluster.worker.id } : {}),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(settings, options.destination);
  const pretty = process.stdout.isTTY ? await prettyStream() : undefined;
  return pino(settings, pretty ?? pino.destination({ dest: 1, sync: false }));
}

/** Only what is at `level` or above, to stderr: for tests and benchmarks, which keep stdout to themselves. */
export function stderrLogger(level = "error"): Logger {
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}

async function prettyStream(): Promise<DestinationStream | undefined> {
  try {
    const { default: pretty } = await import("pino-pretty");
    return pretty({
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      // A request line reads as one: `GET /api/sessions/{session_id}/status 304 0.4 ms`.
      messageFormat: (log, messageKey) =>
        log.route === undefined
          ? String(log[messageKey])
          : `${String(log.method)} ${String(log.route)} ${String(log.status)} ${String(log.duration_ms)} ms`,
    });
  } catch {
    return undefined;
  }
}
