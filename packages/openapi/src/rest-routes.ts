import type { AnyRouter } from "@trpc/server";
import type { CajaMeta } from "@caja/api";
import { proceduresOf } from "./trpc-internals";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A REST route read from a procedure's `openapi` meta. */
export interface RestRoute {
  method: HttpMethod;
  /** The spec path, e.g. `/v1/sessions/{session_id}`. */
  path: string;
  /** The tRPC procedure path, e.g. `session.get`. */
  procedure: string;
  type: "query" | "mutation";
  /** Polling route: answered with ETag / 304. */
  poll: boolean;
  /** Set on an alias: the documented path this route also answers, e.g. `/sessions/{session_id}/status`. */
  aliasOf?: string;
  meta: CajaMeta;
  segments: Array<{ literal: string } | { param: string }>;
  /** The segments for matching: each literal, or null where a parameter goes. */
  literals: Array<string | null>;
  /** How many segments are literal: more literal routes win a tie. */
  specificity: number;
}

/**
 * The seed backend also served its polling routes under `/v1`, and clients
 * generated from its document call them there: each polling route outside `/v1`
 * is answered at `/v1` + its path too (documented as deprecated).
 */
export const legacyPollPrefix = "/v1";

export function collectRoutes(router: AnyRouter): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [procedure, { type, meta }] of proceduresOf(router)) {
    const openapi = meta?.openapi;
    if (!meta || !openapi || openapi.enabled === false || type === "subscription") continue;
    const route = { method: openapi.method, procedure, type, poll: meta.poll === true, meta };
    routes.push({ ...route, path: openapi.path, ...segmentsOf(openapi.path) });
    if (route.poll && !openapi.path.startsWith(legacyPollPrefix + "/")) {
      const alias = legacyPollPrefix + openapi.path;
      routes.push({ ...route, path: alias, aliasOf: openapi.path, ...segmentsOf(alias) });
    }
  }
  return routes.sort((a, b) => b.specificity - a.specificity);
}

function segmentsOf(path: string): Pick<RestRoute, "segments" | "literals" | "specificity"> {
  const segments = path
    .split("/")
    .filter(Boolean)
    .map((s) => (s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s }));
  const literals = segments.map((s) => s.literal ?? null);
  return { segments, literals, specificity: literals.filter((s) => s !== null).length };
}

export interface RouteMatch {
  route: RestRoute;
  params: Record<string, string>;
}

/**
 * Matches a path (without the base path) to a route; `allowed` lists methods when only the method is wrong.
 * Every request goes through here: literals are compared first, and only the route taken decodes its parameters.
 */
export function matchRoute(routes: RestRoute[], method: string, path: string): RouteMatch | { allowed: string[] } | null {
  const parts = path.split("/").filter(Boolean);
  let allowed: string[] | undefined;
  for (const route of routes) {
    if (route.literals.length !== parts.length || !literalsMatch(route.literals, parts)) continue;
    if (route.method === method) return { route, params: paramsOf(route, parts) };
    (allowed ??= []).push(route.method);
  }
  return allowed ? { allowed } : null;
}

function literalsMatch(literals: Array<string | null>, parts: string[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const literal = literals[i];
    if (literal !== null && literal !== parts[i]) return false;
  }
  return true;
}

function paramsOf(route: RestRoute, parts: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  route.segments.forEach((seg, i) => {
    if (!("param" in seg)) return;
    const part = parts[i] as string;
    try {
      params[seg.param] = decodeURIComponent(part);
    } catch {
      params[seg.param] = part;
    }
  });
  return params;
}
