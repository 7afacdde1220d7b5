import { hash } from "node:crypto";

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
