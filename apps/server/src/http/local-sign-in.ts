import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { CajaError, type TokenService } from "@caja/api";
import { sendError } from "@caja/openapi";

export const LOCAL_SIGN_IN_PATH = "/local-sign-in";
const ADMIN_TTL_SECONDS = 12 * 3600;

/**
 * One-click presenter sign-in for a server on its embedded defaults (no JWT_SECRET: the secret
 * generated under CAJA_DATA_DIR, the case where `pnpm start` prints an admin token anyway).
 * `GET` says whether it is available to this caller; `POST` answers `{ token, expires_at }`.
 *
 * Why this hands out nothing that the console does not already show to whoever started the
 * server, and only to a browser on that same machine:
 * - Off unless the secret is the generated one, and off behind a proxy (TRUST_PROXY): a
 *   deployment with its own secret or its own front door never answers it.
 * - The TCP peer must be a loopback address: other machines (HOST defaults to 0.0.0.0) are refused.
 * - A request carrying forwarding headers is refused: a reverse proxy on the same machine
 *   would otherwise turn every remote caller into a loopback one.
 * - The Host header must name a loopback host: a DNS-rebinding page (evil.example resolving to
 *   127.0.0.1) reaches the socket but sends its own name, so it is refused.
 * - A cross-site page cannot read the answer: an Origin, when sent, must be this same loopback
 *   origin, and the route sets no CORS headers (it is answered before the CORS step).
 * Anyone who can run a process on the machine can also read CAJA_DATA_DIR/jwt-secret, so
 * loopback callers gain nothing they did not have.
 */
export function createLocalSignIn(options: { enabled: boolean; tokens: TokenService }) {
  return function handleLocalSignIn(req: IncomingMessage, res: ServerResponse): void {
    const allowed = options.enabled && isLocalRequest(req);
    if (req.method === "GET" || req.method === "HEAD") return json(res, 200, { available: allowed });
    if (req.method !== "POST") return sendError(res, new CajaError("METHOD_NOT_ALLOWED", "Use GET or POST"));
    if (!options.enabled)
      return sendError(res, new CajaError("NOT_FOUND", "Local sign-in is off: this server has its own JWT_SECRET"));
    if (!allowed)
      return sendError(res, new CajaError("FORBIDDEN", "Local sign-in only answers a browser on the server's own machine"));
    const { token, expiresAt } = options.tokens.sign({ sub: "admin", role: "admin" }, ADMIN_TTL_SECONDS);
    json(res, 200, { token, expires_at: expiresAt.toISOString() });
  };
}

/** A request from this machine's loopback, not relayed, addressed to a loopback host name, same-origin if from a page. */
export function isLocalRequest(req: IncomingMessage): boolean {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return false;
  if (req.headers["x-forwarded-for"] || req.headers.forwarded || req.headers["x-real-ip"]) return false;
  const host = req.headers.host;
  if (!host || !isLoopbackHost(hostnameOf(`http://${host}`))) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && (origin === "null" || hostOf(origin) !== host.toLowerCase())) return false;
  const site = req.headers["sec-fetch-site"];
  return site === undefined || site === "same-origin" || site === "none";
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  return address === "::1";
}

function isLoopbackHost(hostname: string | undefined): boolean {
  if (!hostname) return false;
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  return isLoopbackAddress(hostname.replace(/^\[|\]$/g, ""));
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(JSON.stringify(body));
}
