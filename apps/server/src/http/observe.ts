import type { IncomingMessage, ServerResponse } from "node:http";
import { notedErrorCode } from "@caja/openapi";
import { internalErrorLog } from "../logging/internal-error";
import type { Logger } from "../logging/logger";
import { fields, requestLineWriter, type RequestLine } from "../logging/request-line";
import { requestIdOf } from "../logging/request-id";
import type { ServerMetrics } from "../metrics/server-metrics";
import { routeOf } from "./route-label";

const startKey = Symbol("caja.startedAt");
const idKey = Symbol("caja.requestId");
/** Fields of the request, not a WeakMap: an entry per request is an ephemeron the GC must trace. */
type Observed = IncomingMessage & { [startKey]?: number; [idKey]?: string };

export interface RequestObserver {
  /** Call first thing for each request: gives it its id (the `X-Request-Id` answered) and starts its clock. */
  start(req: IncomingMessage, res: ServerResponse): void;
  /** Logs an error that became a 500, with its request's id and route. */
  internalError(error: unknown, req: IncomingMessage): void;
}

/**
 * One log line and one histogram observation per request, once its answer is handed to the
 * socket (or the connection closed first: `aborted`). The line holds the method, the route
 * template, the status, the duration, the request id, the error code of an error answer,
 * and (from the logger) the instance; never the URL, a header or a body, so never a token,
 * a nickname or an answer's text.
 */
export function requestObserver(options: {
  logger: Logger;
  metrics: ServerMetrics | undefined;
  procedures: ReadonlySet<string>;
}): RequestObserver {
  const { logger, metrics, procedures } = options;
  const logRequests = logger.isLevelEnabled("info");
  const writeLine = requestLineWriter(logger);
  const logInternal = internalErrorLog(logger);

  // One listener for every response (`close` fires once): no closure per request.
  function finished(this: ServerResponse) {
    const req: Observed = this.req;
    const seconds = (performance.now() - (req[startKey] ?? 0)) / 1000;
    const method = req.method ?? "GET";
    const route = routeOf(req, procedures);
    // Closed before the answer was handed over: the client went away (or the answer was cut).
    const aborted = !this.writableFinished;
    const status = this.statusCode;
    metrics?.observeRequest(method, route, aborted ? 0 : status, seconds);
    if (status < 500 && !logRequests) return;
    const entry: RequestLine = {
      reqId: req[idKey],
      method,
      route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      errorCode: notedErrorCode(req),
      aborted,
    };
    if (status >= 500) logger.error(fields(entry), "request failed");
    else writeLine(entry);
  }

  return {
    start(req: Observed, res) {
      const id = requestIdOf(req.headers["x-request-id"]);
      res.setHeader("x-request-id", id);
      req[startKey] = performance.now();
      req[idKey] = id;
      res.on("close", finished);
    },
    internalError(error, req: Observed) {
      logInternal(error, req, { reqId: req[idKey], route: routeOf(req, procedures) });
    },
  };
}
