import { join } from "node:path";
import type { ServerConfig } from "./config";
import { loadOrCreateSecret } from "./secret";

/**
 * The defaults the server and the CLI must agree on, so that
 * `pnpm caja migrate` migrates and `pnpm caja token` signs for the database and
 * the secret `pnpm start` uses, and both know when credentials may be printed.
 */

/** DATABASE_URL, or the embedded PGlite database under CAJA_DATA_DIR. */
export function databaseLocation(config: ServerConfig): string {
  return config.DATABASE_URL ?? join(config.CAJA_DATA_DIR, "pgdata");
}

/** JWT_SECRET, or the secret generated once and kept under CAJA_DATA_DIR (`generated: true`). */
export function jwtSecret(config: ServerConfig): { secret: string; generated: boolean } {
  if (config.JWT_SECRET) return { secret: config.JWT_SECRET, generated: false };
  return { secret: loadOrCreateSecret(config.CAJA_DATA_DIR).secret, generated: true };
}

/**
 * No DATABASE_URL: the embedded PGlite database under CAJA_DATA_DIR, one process on one machine,
 * whose console is the person who ran `pnpm start`. Only then does the server print credentials
 * (an admin token, a sign-in link) at start: elsewhere its output goes to log collectors.
 */
export function isEmbeddedDefault(config: ServerConfig): boolean {
  return config.DATABASE_URL === undefined;
}

/** The link that signs the web app's presenter in with a one-time code; the fragment never reaches a server or a log. */
export function signInLink(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/present#code=${code}`;
}
