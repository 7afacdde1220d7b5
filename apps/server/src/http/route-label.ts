import type { IncomingMessage } from "node:http";
import { notedRoute } from "@caja/openapi";
import { METRICS_PATH } from "../metrics/endpoint";
import { SIGN_IN_PATH } from "./sign-in-link";

/**
 * What a request is labelled by in the log and the metrics when no adapter noted a REST
 * template (`notedRoute`, @caja/openapi): a fixed label per kind of path, a tRPC
 * procedure by name, and never a raw path, whose ids and timestamps would make a
 * series per session (Prometheus keeps each label value as a series of its own).
 */
export function routeOf(req: IncomingMessage, procedures: ReadonlySet<string>): string {
  const noted = notedRoute(req);
  if (noted !== undefined) return noted;
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return routeLabel(req.method ?? "GET", q === -1 ? url : url.slice(0, q), procedures);
}

const fixed = new Set(["/health", "/ready", "/openapi.json", METRICS_PATH, SIGN_IN_PATH]);

function routeLabel(method: string, pathname: string, procedures: ReadonlySet<string>): string {
  if (method === "OPTIONS") return "{preflight}";
  if (fixed.has(pathname)) return pathname;
  if (pathname.startsWith("/trpc/")) return trpcLabel(pathname.slice("/trpc/".length), procedures);
  if (pathname === "/api" || pathname.startsWith("/api/")) return "/api/{unmatched}";
  if (pathname === "/docs" || pathname.startsWith("/docs/")) return "/docs";
  return "{web}";
}

/** `/trpc/session.status`; a batch (names joined by commas) is one label, whatever it holds. */
function trpcLabel(names: string, procedures: ReadonlySet<string>): string {
  if (names.includes(",")) return "/trpc/{batch}";
  return procedures.has(names) ? `/trpc/${names}` : "/trpc/{unknown}";
}
