import { outputOf, type Logger } from "./logger";

export interface RequestLine {
  reqId: string | undefined;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  errorCode: string | undefined;
  aborted: boolean;
}

/**
 * Writes a request's line, at level info, exactly as pino would (the same keys in the same
 * order, its level, time and bindings) but formatted here: pino's general serialiser walks
 * the object and escapes each value, about a microsecond a line more on the poll path
 * (bench/src/observe-cost.ts), and these values need no walk. Their strings are the
 * server's own (route templates, procedure names, error codes, a method node's parser
 * accepted) or a request id of `[A-Za-z0-9._:-]` (request-id.ts); JSON.stringify quotes the rest anyway.
 */
export function requestLineWriter(logger: Logger): (line: RequestLine) => void {
  const output = outputOf(logger);
  if (!output) return (line) => logger.info(fields(line), "request");
  const { destination } = output;
  const bindings = JSON.stringify({ ...output.base, ...logger.bindings() }).slice(1, -1);
  const prefix = bindings === "" ? "" : `,${bindings}`;
  // Polls come many to a millisecond and from few routes: the time and each method and route, quoted, are kept.
  let stampedAt = 0;
  let stamp = "";
  const quotedRoutes = new Map<string, Map<string, string>>();
  const methodAndRoute = (method: string, route: string) => {
    let byRoute = quotedRoutes.get(method);
    if (!byRoute) quotedRoutes.set(method, (byRoute = new Map<string, string>()));
    let quoted = byRoute.get(route);
    if (quoted === undefined)
      byRoute.set(route, (quoted = `,"method":${JSON.stringify(method)},"route":${JSON.stringify(route)}`));
    return quoted;
  };
  return (line) => {
    const now = Date.now();
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = `{"level":30,"time":"${new Date(now).toISOString()}"${prefix}`;
    }
    destination.write(
      stamp +
        (line.reqId === undefined ? "" : `,"req_id":"${line.reqId}"`) +
        methodAndRoute(line.method, line.route) +
        `,"status":${line.status},"duration_ms":${line.durationMs}` +
        (line.errorCode === undefined ? "" : `,"error_code":${JSON.stringify(line.errorCode)}`) +
        (line.aborted ? `,"aborted":true` : "") +
        `,"msg":"request"}\n`,
    );
  };
}

/** The same line as fields, for pino's own serialiser (errors, and loggers made elsewhere). */
export function fields(line: RequestLine) {
  return {
    req_id: line.reqId,
    method: line.method,
    route: line.route,
    status: line.status,
    duration_ms: line.durationMs,
    ...(line.errorCode === undefined ? {} : { error_code: line.errorCode }),
    ...(line.aborted ? { aborted: true } : {}),
  };
}
