import { hash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A weak validator of the exact body sent: equal bodies, equal tags. */
export function etagOf(body: string | Buffer): string {
  return `W/"${hash("sha1", body, "base64url").slice(0, 22)}"`;
}

/** `If-None-Match` may list several tags, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  // What a client sends back almost always: the one tag it was given, or the one it had before (no list to split).
  if (header === etag) return true;
  const bare = withoutWeak(etag);
  if (!header.includes(",")) {
    const tag = header.trim();
    return tag === "*" || withoutWeak(tag) === bare;
  }
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => withoutWeak(t.trim()) === bare);
}

const withoutWeak = (tag: string) => (tag.startsWith("W/") ? tag.slice(2) : tag);

/** Authenticated caching: no shared cache may keep the answer, and clients must revalidate. */
export const privateRevalidate = { "cache-control": "private, no-cache", vary: "Authorization" } as const;

/** A poll answer, ready to send: computed (`answerOf`) or kept (`KeptAnswers`). */
export interface PollAnswer {
  readonly etag: string;
  readonly body: Buffer;
}

export function answerOf(body: string): PollAnswer {
  const bytes = Buffer.from(body);
  return { etag: etagOf(bytes), body: bytes };
}

/**
 * A poll answer with its ETag, or 304 when the client's copy is current. The one
 * writer of a poll's 200, so a kept answer's headers are a computed one's.
 */
export function sendRevalidated(
  req: IncomingMessage,
  res: ServerResponse,
  etag: string,
  body: Buffer,
  contentType: string,
): void {
  if (matchesIfNoneMatch(req.headers["if-none-match"], etag)) return sendNotModified(res, etag);
  // An explicit length avoids chunked encoding: one write per answer.
  // Literal objects, not spreads of privateRevalidate: every poll answer builds one.
  res
    .writeHead(200, {
      "cache-control": privateRevalidate["cache-control"],
      vary: privateRevalidate.vary,
      etag,
      "content-type": contentType,
      "content-length": body.length,
    })
    .end(body);
}

export function sendNotModified(res: ServerResponse, etag: string): void {
  res.writeHead(304, { "cache-control": privateRevalidate["cache-control"], vary: privateRevalidate.vary, etag }).end();
}
