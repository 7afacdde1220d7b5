import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { CajaError, checkPoll, toWireError, type CajaMeta, type Context, type PollCheck } from "@caja/api";
import { KeptAnswers, sendComputed, sendKept } from "./kept-answers";
import { noteErrorCode, noteRoute } from "./request-notes";
import { collectRoutes, matchRoute, type RouteMatch } from "./rest-routes";
import { invokeProcedure } from "./trpc-internals";

/** The media types a route may answer instead of JSON (`meta.produces`). */
export type ProducedType = NonNullable<CajaMeta["produces"]>;

/**
 * Writes a route's file answer: given what its procedure returned (it has authorised
 * the caller and validated the input), streams the body with its own headers.
 */
export type Producer = (output: unknown, ctx: Context, req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RestHandlerOptions {
  router: AnyRouter;
  createContext: (req: IncomingMessage) => Context;
  /** Where the spec's paths start, `/api`. */
  basePath?: string;
  maxBodyBytes?: number;
  /** Called with errors that became a 500, for logging. */
  onInternalError?: (error: unknown, req: IncomingMessage) => void;
  /** Who writes each file type routes may produce; the server supplies them (e.g. its CSV export). */
  producers?: Partial<Record<ProducedType, Producer>>;
  /** Where poll answers are kept (may be shared with the tRPC GET path: URLs differ); a 32 MB store by default. */
  keptAnswers?: KeptAnswers;
}

const JSON_TYPE = "application/json; charset=utf-8";
const MAX_REMEMBERED_MATCHES = 10_000;
const MAX_REMEMBERED_PATH = 200;

/**
 * The REST adapter: serves each procedure that has `openapi` meta at its spec
 * path, in the spec's error format. Thin by design: it turns a request into the
 * procedure's input and the result into JSON, and adds ETag/304 on polling
 * routes (tRPC's responseMeta cannot send a 304), answering a poll from the
 * answer kept for its state before the procedure runs (`checkPoll`); a
 * route that produces a file (`meta.produces`) hands the result to the server's
 * producer for that type. Returns false when the path is not under `basePath`,
 * so the server can try its other handlers.
 */
export function createRestHandler(options: RestHandlerOptions) {
  const routes = collectRoutes(options.router);
  const basePath = (options.basePath ?? "/api").replace(/\/$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const kept = options.keptAnswers ?? new KeptAnswers();
  // Each route's template as the server's log and metrics name it, built once.
  const templates = new Map(routes.map((route) => [route, basePath + route.path]));
  // Polls repeat the same few paths (a room's status, its activity's): their GET matches are remembered.
  const getMatches = new Map<string, RouteMatch>();
  const matchGet = (method: string, path: string) => {
    if (method !== "GET") return matchRoute(routes, method, path);
    const known = getMatches.get(path);
    if (known) return known;
    const match = matchRoute(routes, method, path);
    if (match && "route" in match && path.length <= MAX_REMEMBERED_PATH) {
      if (getMatches.size >= MAX_REMEMBERED_MATCHES) getMatches.clear();
      getMatches.set(path, match);
    }
    return match;
  };

  return async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname !== basePath && !pathname.startsWith(basePath + "/")) return false;
    try {
      const match = matchGet(req.method ?? "GET", pathname.slice(basePath.length));
      if (!match) throw new CajaError("NOT_FOUND", `No route for ${req.method} ${pathname}`);
      if ("allowed" in match) {
        res.setHeader("Allow", match.allowed.join(", "));
        throw new CajaError("METHOD_NOT_ALLOWED", `${req.method} is not allowed here`, { allowed: match.allowed });
      }
      const { route, params } = match;
      noteRoute(req, templates.get(route) ?? route.path);
      const input =
        route.method === "GET" || route.method === "DELETE"
          ? { ...queryObject(q === -1 ? "" : url.slice(q + 1)), ...params }
          : { ...(await readJsonObject(req, maxBodyBytes)), ...params };
      let ctx = options.createContext(req);
      let poll: PollCheck | undefined;
      if (route.poll && route.meta.pollState) {
        // The guard decides here, once: the call below, if made, takes its decision.
        const checked = checkPoll(ctx, route.meta, input);
        poll = checked instanceof Promise ? await checked : checked;
        if (sendKept(req, res, kept, url, poll.state, JSON_TYPE)) return true;
        ctx = poll.ctx;
      }
      const output = await invokeProcedure(options.router, ctx, route.procedure, route.type, input);
      const produces = route.meta.produces;
      if (produces) {
        const producer = options.producers?.[produces];
        if (!producer) throw new Error(`${route.procedure} produces ${produces}, which this server was given no producer for`);
        await producer(output, ctx, req, res);
        return true;
      }
      if (output === undefined) {
        res.writeHead(route.method === "POST" ? 201 : 204).end();
        return true;
      }
      const body = JSON.stringify(output);
      if (route.poll) {
        const checked = poll;
        const state = { before: checked?.state ?? null, after: () => checked?.again() ?? Promise.resolve(null) };
        await sendComputed(req, res, kept, url, state, body, JSON_TYPE);
        return true;
      }
      res.writeHead(route.meta.okStatus ?? (route.method === "POST" ? 201 : 200), {
        "content-type": JSON_TYPE,
        "content-length": Buffer.byteLength(body),
        "cache-control": cacheControl(route.meta.publicMaxAgeSeconds),
      });
      res.end(body);
    } catch (error) {
      sendError(res, error, () => options.onInternalError?.(error, req));
    }
    return true;
  };
}

export function sendError(res: ServerResponse, error: unknown, onInternal?: () => void): void {
  const wire = toWireError(error);
  noteErrorCode(res.req, wire.body.error.code);
  if (wire.status >= 500 && wire.body.error.code === "INTERNAL_ERROR") onInternal?.();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
  if (wire.retryAfter) headers["retry-after"] = String(wire.retryAfter);
  // The rest of an oversized body is not read: close rather than leave it in the socket.
  if (wire.status === 413) headers.connection = "close";
  const body = JSON.stringify(wire.body);
  headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(wire.status, headers).end(body);
}

/** Answers are personal and live unless the procedure declares a public lifetime. */
const cacheControl = (publicMaxAgeSeconds: number | undefined) =>
  publicMaxAgeSeconds === undefined ? "no-store" : `public, max-age=${publicMaxAgeSeconds}`;

function queryObject(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!search) return out;
  for (const [key, value] of new URLSearchParams(search)) if (!(key in out)) out[key] = value;
  return out;
}

async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const body = await readBody(req, maxBytes);
  if (body.length === 0) return {};
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new CajaError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json", { content_type: type });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new CajaError("VALIDATION_ERROR", "The body is not valid JSON", { field: "body", reason: "invalid JSON" });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CajaError("VALIDATION_ERROR", "The body must be a JSON object", { field: "body", reason: "not an object" });
  }
  return parsed as Record<string, unknown>;
}

/**
 * The body, or a 413 as soon as it grows past `maxBytes`. Not `for await`: leaving that
 * loop early destroys the request and with it the socket, so the 413 would never be
 * sent; here the rest of the body is read and dropped while the answer goes out.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.resume();
      reject(tooLarge(maxBytes));
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
    // After `end` this is a no-op; before it, the client went away mid-body.
    req.once("close", () => reject(new Error("The connection closed before the request body was read")));
  });
}

const tooLarge = (maxBytes: number) =>
  new CajaError("PAYLOAD_TOO_LARGE", `The body exceeds ${maxBytes} bytes`, { max_bytes: maxBytes });
