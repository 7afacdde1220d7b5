import type { IncomingMessage, ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { CajaError, appRouter, createContext, receiveStamp, toCajaError, type HeaderReader, type RequestTiming } from "@caja/api";
import { sql } from "@caja/db";
import { KeptAnswers, createRestHandler, createTrpcGetHandler, noteErrorCode, sendError } from "@caja/openapi";
import { clientAddress } from "../client-ip";
import type { ServerConfig } from "../config";
import type { ServerDeps } from "../deps";
import { createMetricsEndpoint, METRICS_PATH, type MetricsSource } from "../metrics/endpoint";
import { openApiDocument, REST_BASE_PATH } from "../openapi";
import { VERSION } from "../version";
import { applyCors, parseOrigins } from "./cors";
import { createDocsHandler } from "./docs";
import { csvExport } from "./export";
import { createSignInExchange, SIGN_IN_PATH } from "./sign-in-link";
import { createWebHandler } from "./web";

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Where a request's timing is kept between `route` and its context: a field of the
 * request, not a WeakMap (an entry per request is an ephemeron the GC must trace).
 */
const timingKey = Symbol("caja.timing");
type TimedRequest = IncomingMessage & { [timingKey]?: RequestTiming };

export interface RouterObservability {
  /** Errors that became a 500 (the request log's internalError). */
  logInternalError: (error: unknown, req: IncomingMessage) => void;
  /** `/metrics`: absent when the server keeps no metrics (it answers 404 then, as without METRICS_TOKEN). */
  metrics?: MetricsSource;
}

/**
 * The HTTP router: which handler answers which request. In order:
 * `/sign-in`; CORS preflight; `/api/...` REST (packages/openapi, rest-handler.ts; the
 * CSV exports stream through export.ts);
 * `GET /trpc/...` queries on the fast path (packages/openapi, trpc-get.ts), other
 * `/trpc/...` calls through tRPC's own handler; then `/health`, `/ready`, `/metrics`,
 * `/openapi.json`, `/docs`, and the web app for the rest.
 */
export function createHttpRouter(config: ServerConfig, deps: ServerDeps, observability: RouterObservability): RequestHandler {
  const { logInternalError } = observability;
  const contextFor = (req: TimedRequest) =>
    createContext({
      headers: headerReader(req),
      ip: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUST_PROXY),
      deps: deps.api,
      timing: req[timingKey],
    });

  // One store for both adapters (their URLs differ): one memory bound.
  const keptAnswers = new KeptAnswers({ maxBytes: config.POLL_KEPT_ANSWER_BYTES });
  const rest = createRestHandler({
    router: appRouter,
    createContext: contextFor,
    basePath: REST_BASE_PATH,
    maxBodyBytes: config.MAX_BODY_BYTES,
    onInternalError: logInternalError,
    producers: { "text/csv": csvExport(deps.api, config.REQUEST_TIMEOUT_MS) },
    keptAnswers,
  });
  const trpcGet = createTrpcGetHandler({
    router: appRouter,
    createContext: contextFor,
    basePath: "/trpc",
    maxBatchSize: config.TRPC_MAX_BATCH,
    // Checked here for POST batches too, before they reach tRPC's handler below.
    batchBudget: {
      maxBytes: config.TRPC_BATCH_MAX_BYTES,
      sizes: { responseDataBytes: config.MAX_RESPONSE_DATA_BYTES, configBytes: config.MAX_CONFIG_BYTES },
    },
    keptAnswers,
  });
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: config.MAX_BODY_BYTES,
    maxBatchSize: config.TRPC_MAX_BATCH,
    createContext: ({ req }) => contextFor(req),
    // tRPC answers a request it refuses before any call (unsupported content type, unreadable
    // body) with JSON but no content type, so text/plain: say what it is. Streamed answers
    // (eagerGeneration) set their own.
    responseMeta: ({ eagerGeneration }) => (eagerGeneration ? {} : { headers: { "content-type": "application/json" } }),
    onError: ({ error, req }) => {
      noteErrorCode(req, toCajaError(error).code);
      if (error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof CajaError))
        logInternalError(error.cause ?? error, req);
    },
  });
  const openapiJson = JSON.stringify(openApiDocument());
  const docs = createDocsHandler();
  const web = createWebHandler(config.CAJA_WEB_DIR);
  const signIn = createSignInExchange({
    db: deps.db.db,
    tokens: deps.api.tokens,
    limiter: deps.api.limiter,
    clientAddress: (req) => clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUST_PROXY),
    onInternalError: logInternalError,
  });
  const corsOrigins = parseOrigins(config.CORS_ORIGINS);
  const metrics = createMetricsEndpoint(observability.metrics);

  const ready = async () => {
    await Promise.race([
      deps.db.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database timeout")), 2000).unref()),
    ]);
  };

  return function route(req: TimedRequest, res) {
    // Every database query of this request must start before its deadline, or it fails
    // (503) and is never sent later: its context's database carries the deadline
    // (@caja/api RequestDeps, @caja/db DbHandle.withDeadline).
    const receivedAt = receiveStamp();
    req[timingKey] = { receivedAt, deadline: receivedAt + config.REQUEST_TIMEOUT_MS };
    return dispatch(req, res);
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? "/").split("?", 1)[0] as string;
    // Before CORS on purpose: no other origin may read what this answers (see sign-in-link.ts).
    if (pathname === SIGN_IN_PATH) return signIn(req, res);
    if (applyCors(req, res, corsOrigins)) return;
    if (await rest(req, res)) return;
    if (pathname.startsWith("/trpc/")) {
      if (await trpcGet(req, res)) return;
      return trpc(req, res);
    }
    if (pathname === "/health") return json(res, 200, { status: "ok", version: VERSION });
    if (pathname === "/ready") {
      try {
        await ready();
        return json(res, 200, { status: "ready" });
      } catch {
        res.setHeader("retry-after", "5");
        return json(res, 503, { error: { code: "SERVICE_UNAVAILABLE", message: "Database not reachable", details: {} } });
      }
    }
    if (pathname === METRICS_PATH) return metrics(req, res);
    if (pathname === "/openapi.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(openapiJson);
      return;
    }
    if (pathname === "/docs" || pathname.startsWith("/docs/")) return docs(req, res, pathname);
    if (await web(req, res, pathname)) return;
    sendError(res, new CajaError("NOT_FOUND", `No route for ${req.method} ${pathname}`));
  }
}

/** A Headers view over node's header object: no copy per request. */
function headerReader(req: IncomingMessage): HeaderReader {
  return {
    get(name: string) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(JSON.stringify(body));
}
