import { join } from "node:path";
import type { ServerConfig } from "./config";
import { loadOrCreateSecret } from "./secret";

/**
 * The two defaults the server and the CLI must agree on, so that
 * `pnpm caja migrate` migrates and `pnpm caja token` signs for the database and
 * the secret `pnpm start` uses.
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
