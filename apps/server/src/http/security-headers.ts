import type { ServerResponse } from "node:http";

/**
 * What every answer carries; the HTML pages (web.ts, docs.ts) give their own policy, which
 * keeps `frame-ancestors 'none'`.
 *
 * - `nosniff`: a browser runs nothing as a script or stylesheet unless its Content-Type says
 *   so, and never renders a JSON answer or a CSV export as a page.
 * - A policy that lets an answer opened as a document load nothing, run nothing, and be
 *   framed by no site (no clickjacking: the app has no reason to be framed).
 * - No referrer: an API answer links nowhere, and its URLs (session ids, join codes) are
 *   nobody else's business.
 */
const securityHeaders = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
} as const;

const entries = Object.entries(securityHeaders);

/** The same headers as raw lines, for answers written straight to the socket (client-error.ts). */
export const securityHeaderLines = entries.map(([name, value]) => `${name}: ${value}\r\n`).join("");

/**
 * Set before any handler runs; a handler's own header of the same name replaces it. Measured
 * on a 304 head, node's CPU per answer: 0.37 us without these, 1.6 us with them (node's
 * writeHead takes its slower path once a header was set beforehand), 0.7 us were they written
 * by each handler: not worth a copy of them in every handler.
 */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of entries) res.setHeader(name, value);
}
