import type { IncomingMessage } from "node:http";
import { databaseErrorCode } from "@caja/db";
import type { Logger } from "./logger";

export type InternalErrorLog = (error: unknown, req: IncomingMessage, labels: { reqId?: string; route: string }) => void;

/**
 * Errors that became a 500: logged with their request's id and route, the driver's code
 * (which tells a new kind of outage from a bug) and the stack, at level error.
 */
export function internalErrorLog(logger: Logger): InternalErrorLog {
  return (error, req, labels) => {
    logger.error(
      {
        req_id: labels.reqId,
        method: req.method,
        route: labels.route,
        error_code: databaseErrorCode(error) ?? "none",
        error: describe(error),
      },
      "internal error",
    );
  };
}

/**
 * What of an error may be logged. Never its own properties (a PostgreSQL error's `detail`
 * quotes the row: `Key (nickname)=(Ana) already exists`), and its message without what
 * it quotes or the parameters drizzle appends (`Failed query: ... params: 7,Ana`): those are
 * a request's values, a nickname or an answer's text. The stack's frames are code locations.
 */
export function describe(error: unknown): { type: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: "(not an Error)" };
  const frames = error.stack?.split("\n").filter((line) => /^\s+at /.test(line));
  return { type: error.name, message: redact(error.message), ...(frames ? { stack: frames.join("\n") } : {}) };
}

function redact(message: string): string {
  return message.replace(/\nparams: [\s\S]*$/, "\nparams: (not logged)").replace(/"[^"]*"|'[^']*'|\([^()]*\)=\([^()]*\)/g, "…");
}
