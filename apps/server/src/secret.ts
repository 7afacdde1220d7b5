import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * With no JWT_SECRET (the embedded default) a random secret is created once and
 * kept under the data directory, so tokens survive restarts.
 */
export function loadOrCreateSecret(dataDir: string): { secret: string; created: boolean } {
  const file = join(dataDir, "jwt-secret");
  try {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return { secret, created: false };
  } catch {
    // Not there yet: created below.
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return { secret, created: true };
}
