import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import {
  CajaError,
  MemoryRateLimiter,
  PollGovernor,
  Presence,
  ReadThroughCache,
  SharedRateLimiter,
  TokenService,
  appRouter,
  createContext,
  createUpstashCache,
  createUpstashRedis,
  type ApiDeps,
  type HeaderReader,
} from "@caja/api";
import { createDb, migrate, sql, type DbHandle } from "@caja/db";
import { createRestHandler, createTrpcGetHandler, sendError } from "@caja/openapi";
import { limitRules, type ServerConfig } from "./config";
import { createDocsHandler } from "./docs";
import { createLocalSignIn, LOCAL_SIGN_IN_PATH } from "./local-sign-in";
import { openApiDocument, REST_BASE_PATH } from "./openapi";
import { loadOrCreateSecret } from "./secret";
import { VERSION } from "./version";
import { createWebHandler } from "./web";

export { VERSION } from "./version";

export interface CajaServer {
  server: Server;
  deps: ApiDeps;
  db: DbHandle;
  /** Set once listening, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** True when JWT_SECRET was not configured and the secret under the data directory is used. */
  generatedSecret: boolean;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface CreateServerOptions {
  log?: (line: string) => void;
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

export async function createCajaServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<CajaServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const db = createDb(config.DATABASE_URL ?? join(config.CAJA_DATA_DIR, "pgdata"), { maxConnections: config.DB_POOL_SIZE });
  await migrate(db);

  const stored = config.JWT_SECRET ? null : loadOrCreateSecret(config.CAJA_DATA_DIR);
  const tokens = new TokenService({
    secret: config.JWT_SECRET ?? (stored as { secret: string }).secret,
    publicKey: config.JWT_PUBLIC_KEY,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });

  const upstash =
    config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
      ? { url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }
      : null;
  const rules = limitRules(config);
  const governor = new PollGovernor(config.POLL_INTERVAL_MS);
  const presence = new Presence(db.db);
  const deps: ApiDeps = {
    db: db.db,
    cache: new ReadThroughCache({
      shared: upstash ? createUpstashCache(upstash, config.REDIS_KEY_PREFIX) : undefined,
      localTtlMs: config.CACHE_LOCAL_TTL_MS,
      sharedTtlMs: config.CACHE_SHARED_TTL_MS,
      minRefreshMs: config.CACHE_MIN_REFRESH_MS,
      maxStaleMs: config.CACHE_MAX_STALE_MS,
    }),
    tokens,
    limiter: upstash
      ? new SharedRateLimiter(createUpstashRedis(upstash), rules, { keyPrefix: config.REDIS_KEY_PREFIX })
      : new MemoryRateLimiter(rules),
    presence,
    settings: { participantTokenTtlSeconds: config.PARTICIPANT_TOKEN_TTL, pollIntervalMs: config.POLL_INTERVAL_MS },
    pollIntervalMs: () => governor.pollIntervalMs(),
  };

  const clientIp = (req: IncomingMessage) => {
    const forwarded = config.TRUST_PROXY ? req.headers["x-forwarded-for"] : undefined;
    const first = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
    return first || req.socket.remoteAddress || "unknown";
  };
  const contextFor = (req: IncomingMessage) => createContext({ headers: headerReader(req), ip: clientIp(req), deps });
  const onInternalError = (error: unknown, req: IncomingMessage) =>
    console.error(`[caja] ${req.method} ${req.url}:`, error instanceof Error ? error.stack : error);

  const rest = createRestHandler({
    router: appRouter,
    createContext: contextFor,
    basePath: REST_BASE_PATH,
    maxBodyBytes: config.MAX_BODY_BYTES,
    onInternalError,
  });
  const trpcGet = createTrpcGetHandler({ router: appRouter, createContext: contextFor, basePath: "/trpc" });
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: config.MAX_BODY_BYTES,
    createContext: ({ req }) => contextFor(req),
    onError: ({ error, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof CajaError))
        onInternalError(error.cause ?? error, req);
    },
  });
  const openapiJson = JSON.stringify(openApiDocument());
  const docs = createDocsHandler();
  const web = createWebHandler(config.CAJA_WEB_DIR);
  const localSignIn = createLocalSignIn({ enabled: stored !== null && !config.TRUST_PROXY, tokens });
  const corsOrigins = config.CORS_ORIGINS.split(",")
    .map((o) => o.trim())
    .filter(Boolean);

  const ready = async () => {
    await Promise.race([
      db.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database timeout")), 2000).unref()),
    ]);
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? "/";
    const pathname = url.split("?", 1)[0] as string;
    // Before CORS on purpose: no other origin may read what this answers (see local-sign-in.ts).
    if (pathname === LOCAL_SIGN_IN_PATH) return localSignIn(req, res);
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
    if (pathname === "/openapi.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(openapiJson);
      return;
    }
    if (pathname === "/docs" || pathname.startsWith("/docs/")) return docs(req, res, pathname);
    if (await web(req, res, pathname)) return;
    sendError(res, new CajaError("NOT_FOUND", `No route for ${req.method} ${pathname}`));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      onInternalError(error, req);
      sendError(res, error);
    });
  });
  server.keepAliveTimeout = 65_000;

  const app: CajaServer = {
    server,
    deps,
    db,
    url: "",
    generatedSecret: stored !== null,
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
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      governor.close();
      await presence.close();
      await db.close();
    },
  };
  log(
    `[caja] database: ${db.driver === "pglite" ? `PGlite at ${db.url}` : "PostgreSQL"}; cache: ${upstash ? "Redis (Upstash REST)" : "memory"}`,
  );
  return app;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(JSON.stringify(body));
}

/** Bearer tokens, not cookies, authenticate: any listed origin (or `*`) may call. Returns true for a preflight. */
function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (!origins.includes("*") && !origins.includes(origin)) return false;
  res.setHeader("access-control-allow-origin", origins.includes("*") ? "*" : origin);
  res.setHeader("access-control-expose-headers", "etag, retry-after");
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": "authorization, content-type, if-none-match, trpc-accept, x-trpc-source",
    "access-control-max-age": "600",
  });
  res.end();
  return true;
}
