import type { IncomingMessage } from "node:http";

const routeKey = Symbol("caja.route");
const errorCodeKey = Symbol("caja.errorCode");
type Noted = IncomingMessage & { [routeKey]?: string; [errorCodeKey]?: string };

/**
 * What an adapter learned about a request that the server's request log and metrics
 * label it by: the route template it matched (never the raw URL: ids would make a
 * label per session) and the error code it answered. Fields of the request, not a
 * WeakMap: an entry per request is an ephemeron the GC must trace.
 */
export function noteRoute(req: IncomingMessage, template: string): void {
  (req as Noted)[routeKey] = template;
}

export function notedRoute(req: IncomingMessage): string | undefined {
  return (req as Noted)[routeKey];
}

export function noteErrorCode(req: IncomingMessage | undefined, code: string): void {
  if (req) (req as Noted)[errorCodeKey] = code;
}

export function notedErrorCode(req: IncomingMessage): string | undefined {
  return (req as Noted)[errorCodeKey];
}
