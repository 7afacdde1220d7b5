import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CajaError } from "@caja/api";
import { sendError } from "@caja/openapi";
import type { Registry } from "prom-client";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics` in Prometheus' text format. Without METRICS_TOKEN it does not exist (404):
 * what the server tells about its load is not public by default. With it, the scraper sends
 * `Authorization: Bearer <METRICS_TOKEN>`; anything else is a 401.
 * `text` gives this instance's registry, or under CAJA_WORKERS every worker's summed (cluster.ts).
 */
export interface MetricsSource {
  token: string | undefined;
  registry: Registry;
  text?: () => Promise<string>;
}

/** `source` absent: the server keeps no metrics, and the path answers 404 as without a token. */
export function createMetricsEndpoint(source: MetricsSource | undefined) {
  const expected = source?.token === undefined ? undefined : Buffer.from(`Bearer ${source.token}`);
  return async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!source || !expected) return sendError(res, new CajaError("NOT_FOUND", `No route for ${req.method} ${METRICS_PATH}`));
    if (!authorised(req.headers.authorization, expected)) {
      res.setHeader("www-authenticate", 'Bearer realm="metrics"');
      return sendError(res, new CajaError("UNAUTHORIZED", "Missing or wrong bearer token for /metrics"));
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendError(
        res,
        new CajaError("METHOD_NOT_ALLOWED", `${req.method} is not allowed here`, { allowed: ["GET", "HEAD"] }),
      );
    }
    const body = await (source.text ?? (() => source.registry.metrics()))();
    res.writeHead(200, {
      "content-type": source.registry.contentType,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/** Constant time: the comparison does not tell a guesser how much of the token it got right. */
function authorised(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
