import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Bearer tokens, not cookies, authenticate: any listed origin (or `*`) may call.
 * Returns true when it answered a preflight.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[]): boolean {
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

export function parseOrigins(list: string): string[] {
  return list
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}
