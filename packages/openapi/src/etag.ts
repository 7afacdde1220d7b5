import { hash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A weak validator of the exact body sent: equal bodies, equal tags. */
export function etagOf(body: string): string {
  return `W/"${hash("sha1", body, "base64url").slice(0, 22)}"`;
}

/** `If-None-Match` may list several tags, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  // What a client sends back almost always: the one tag it was given.
  if (header === etag) return true;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

/** Authenticated caching: no shared cache may keep the answer, and clients must revalidate. */
export const privateRevalidate = { "cache-control": "private, no-cache", vary: "Authorization" } as const;

/** A poll answer with its ETag, or 304 when the client's copy is current. Returns the ETag. */
export function sendRevalidated(req: IncomingMessage, res: ServerResponse, body: string, contentType: string): string {
  const etag = etagOf(body);
  if (matchesIfNoneMatch(req.headers["if-none-match"], etag)) {
    sendNotModified(res, etag);
    return etag;
  }
  // An explicit length avoids chunked encoding: one write per answer.
  res
    .writeHead(200, { ...privateRevalidate, etag, "content-type": contentType, "content-length": Buffer.byteLength(body) })
    .end(body);
  return etag;
}

export function sendNotModified(res: ServerResponse, etag: string): void {
  res.writeHead(304, { ...privateRevalidate, etag }).end();
}

/**
 * The ETags of poll answers this adapter sent, by request (its URL: path and
 * input) and the state the answer was computed from (`checkPoll`, @caja/api):
 * the same request in the same state gets the same body, so a conditional poll
 * whose state has an ETag here is answered from it, without the procedure. An
 * ETag is only kept when the state named before the call is the state after it.
 * At most `max` are kept, the oldest dropped first.
 */
export class KeptEtags {
  /** By URL, then by state: no key is built per lookup (URLs with a feed cursor are long). */
  private readonly byRequest = new Map<string, Map<string, string>>();

  constructor(
    private readonly maxRequests = 20_000,
    private readonly maxStatesPerRequest = 8,
  ) {}

  get(request: string, state: string): string | undefined {
    return this.byRequest.get(request)?.get(state);
  }

  keep(request: string, state: string, etag: string): void {
    let states = this.byRequest.get(request);
    if (!states) {
      if (this.byRequest.size >= this.maxRequests) {
        const oldest = this.byRequest.keys().next();
        if (!oldest.done) this.byRequest.delete(oldest.value);
      }
      states = new Map();
      this.byRequest.set(request, states);
    }
    // A request's states are its versions over time (and a few views, e.g. owner and participant): the oldest go.
    if (states.size >= this.maxStatesPerRequest && !states.has(state)) {
      const oldest = states.keys().next();
      if (!oldest.done) states.delete(oldest.value);
    }
    states.set(state, etag);
  }
}
