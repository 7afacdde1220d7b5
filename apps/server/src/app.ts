import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { AnyActivityType } from "@caja/activities";
import { appRouter, type ApiDeps } from "@caja/api";
import type { DbHandle } from "@caja/db";
import { proceduresOf, sendError } from "@caja/openapi";
import type { ServerConfig } from "./config";
import { buildDeps } from "./deps";
import { isTrustedProxy } from "./client-ip";
import { answerClientError } from "./http/client-error";
import { manageConnections } from "./http/connections";
import { requestObserver } from "./http/observe";
import { routeOf } from "./http/route-label";
import { createHttpRouter } from "./http/router";
import { setSecurityHeaders } from "./http/security-headers";
import { createLogger, type Logger } from "./logging/logger";
import { clusterMetricsText } from "./metrics/cluster";
import { ServerMetrics } from "./metrics/server-metrics";
import { gracefulShutdown } from "./shutdown";
import type { Tracing } from "./tracing/otel";

export { VERSION } from "./version";

export interface CajaServer {
  server: Server;
  deps: ApiDeps;
  db: DbHandle;
  /** Set once listening, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** True when JWT_SECRET was not configured and the secret under the data directory is used. */
  generatedSecret: boolean;
  /** Starts listening on HOST:PORT; resolves to the URL. */
  listen(): Promise<string>;
  /** Stops: stops accepting, answers in-flight requests (SHUTDOWN_TIMEOUT_MS at most), then closes the dependencies. */
  close(): Promise<void>;
}

export interface CreateServerOptions {
  /** Where the server logs: by default JSON lines on stdout at LOG_LEVEL (readable on a terminal). */
  logger?: Logger;
  /** false: no request metrics and no /metrics (the bench's run without them). */
  metrics?: boolean;
  /** A deployer's own activity types, registered beside the built-ins (see packages/activities/README.md). */
  activityTypes?: readonly AnyActivityType[];
}

/** The server's lifecycle: dependencies (deps.ts), the HTTP router (http/router.ts), listen and close. */
export async function createCajaServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<CajaServer> {
  const logger = options.logger ?? (await createLogger({ level: config.LOG_LEVEL }));
  const procedures = new Set(proceduresOf(appRouter).keys());
  // Imported only when configured: without it no OpenTelemetry module is loaded.
  const tracing: Tracing | undefined = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? await import("./tracing/otel").then(({ startTracing }) =>
        startTracing({
          endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT ?? "",
          serviceName: config.OTEL_SERVICE_NAME,
          routeOf: (req) => routeOf(req, procedures),
        }),
      )
    : undefined;
  const deps = await buildDeps(config, { activityTypes: options.activityTypes, onQuery: tracing?.onQuery });
  const metrics =
    options.metrics === false
      ? undefined
      : new ServerMetrics({
          cache: deps.api.cache.stats,
          pool: deps.db.pool,
          refusals: deps.refusals,
          pollIntervalMs: () => deps.api.pollIntervalMs?.() ?? config.POLL_INTERVAL_MS,
        });
  const observer = requestObserver({ logger, metrics, procedures });
  const route = createHttpRouter(config, deps, {
    logInternalError: (error, req) => observer.internalError(error, req),
    metrics: metrics && {
      token: config.METRICS_TOKEN,
      registry: metrics.registry,
      text: cluster.isWorker ? clusterMetricsText(metrics.registry) : undefined,
    },
  });

  // Under CAJA_WORKERS, which worker answered (its cluster number, not its pid): for tests and load balancing checks.
  const worker = cluster.isWorker && cluster.worker ? String(cluster.worker.id) : undefined;
  const server = createServer(
    {
      // Whole request (headers and body) and headers alone: a client sending a byte a
      // second is cut off (408) instead of holding its socket for as long as it likes.
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      // How often node checks those two timeouts (its default, 30 s, would let a slow
      // client outlive HTTP_HEADERS_TIMEOUT_MS by that much).
      connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS),
      maxHeaderSize: config.HTTP_MAX_HEADER_BYTES,
    },
    (req, res) => {
      observer.start(req, res);
      shutdown.track(req, res);
      setSecurityHeaders(res);
      if (worker) res.setHeader("x-caja-worker", worker);
      const handle = () => {
        route(req, res).catch((error: unknown) => {
          observer.internalError(error, req);
          sendError(res, error);
        });
      };
      if (tracing) tracing.inSpan(req, res, handle);
      else handle();
    },
  );
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.maxHeadersCount = config.HTTP_MAX_HEADERS;
  // HTTP_MAX_CONNECTIONS and _PER_ADDRESS: idle connections are shed before new ones are refused.
  const connections = manageConnections(server, {
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxPerAddress: config.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
    exempt: (address) => isTrustedProxy(config.TRUST_PROXY, address),
  });
  server.on("clientError", (error: Error, socket: Duplex) => answerClientError(error, socket, connections.responding(socket)));
  const shutdown = gracefulShutdown(server);

  const app: CajaServer = {
    server,
    deps: deps.api,
    db: deps.db,
    url: "",
    generatedSecret: deps.generatedSecret,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.PORT, config.HOST, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
          app.url = `http://${host}:${port}`;
          resolve(app.url);
        });
      }),
    close: async () => {
      await shutdown.drain(config.SHUTDOWN_TIMEOUT_MS);
      await deps.close();
      await tracing?.shutdown();
    },
  };
  logger.info(
    { database: deps.db.driver, tracing: tracing !== undefined, metrics: config.METRICS_TOKEN !== undefined },
    deps.summary,
  );
  return app;
}
