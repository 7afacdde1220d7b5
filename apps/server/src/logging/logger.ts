import cluster from "node:cluster";
import { hostname } from "node:os";
import { pino, type DestinationStream, type Logger } from "pino";
import { LineWriter } from "./line-writer";

export type { Logger };

/** Where each logger made here writes, and the fields it adds to each line: the request log writes its finished lines there (request-line.ts). */
const outputs = new WeakMap<Logger, { destination: DestinationStream; base: Record<string, unknown> }>();

export function outputOf(logger: Logger): { destination: DestinationStream; base: Record<string, unknown> } | undefined {
  return outputs.get(logger);
}

/** Which instance wrote a line: the process, its machine, and its worker under CAJA_WORKERS. */
const instance = () => ({
  pid: process.pid,
  hostname: hostname(),
  ...(cluster.isWorker && cluster.worker ? { worker: cluster.worker.id } : {}),
});

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default (pretty when it is a terminal and pino-pretty is installed). */
  destination?: DestinationStream;
}

/**
 * The server's one logger: JSON lines (pino) with the instance in each (`pid`, `hostname`,
 * and `worker` under CAJA_WORKERS). Written a turn of the event loop at a time (line-writer.ts):
 * a request's line costs its formatting, not a write of its own. On a terminal the lines are made readable by
 * pino-pretty, a development dependency: where it is not installed (a production image)
 * the JSON stays.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const destination = options.destination ?? (process.stdout.isTTY ? await prettyStream() : undefined) ?? new LineWriter();
  return made(options.level, destination);
}

/** Only what is at `level` or above, to stderr: for tests and benchmarks, which keep stdout to themselves. */
export function stderrLogger(level = "error"): Logger {
  return made(level, pino.destination({ dest: 2, sync: true }));
}

function made(level: string, destination: DestinationStream): Logger {
  const base = instance();
  const logger = pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  outputs.set(logger, { destination, base });
  return logger;
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
        typeof log.route === "string"
          ? `${String(log.method)} ${log.route} ${String(log.status)} ${String(log.duration_ms)} ms`
          : String(log[messageKey]),
    });
  } catch {
    return undefined;
  }
}
