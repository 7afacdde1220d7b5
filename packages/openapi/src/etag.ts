import { hash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A weak validator of the exact body sent: equal bodies, equal tags. */
export function etagOf(body: string): string {
  return `W/"${hash("sha1", body, "base64url").slice(0, 22)}"`;
}

/** `If-None-Match` may list several tags, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

/** Authenticated caching: no shared cache may keep the answer, and clients must revalidate. */
export const privateRevalidate = { "cache-control": "private, no-cache", vary: "Authorization" } as const;

/** A poll answer with its ETag, or 304 when the client's copy is current. */
export function sendRevalidated(req: IncomingMessage, res: ServerResponse, body: string, contentType: string): void {
  const etag = etagOf(body);
  const headers = { ...privateRevalidate, etag };
  if (matchesIfNoneMatch(req.headers["if-none-match"], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  // An explicit length avoids chunked encoding: one write per answer.
  res.writeHead(200, { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(body) }).end(body);
}
