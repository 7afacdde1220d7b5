import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Bearer tokens, not cookies, authenticate: any listed origin (or `*`) may call.
 * Returns true when it answered a preflight.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[]): boolean {
  // With an allow-list the answer depends on Origin: a shared cache must not give one origin's copy to another.
  if (!origins.includes("*")) res.setHeader("vary", "Origin");
  const origin = req.headers.origin;
  if (!origin) return false;
  if (!origins.includes("*") && !origins.includes(origin)) return false;
  res.setHeader("access-control-allow-origin", origins.includes("*") ? "*" : origin);
  res.setHeader("access-control-expose-headers", "etag, retry-after");
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": "authorization, content-type, idempotency-key, if-none-match, trpc-accept, x-trpc-source",
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
