import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, lte, signInCodes, sql, type Database } from "@caja/db";

/**
 * One-time sign-in codes: what the console's (or `pnpm caja sign-in-link`'s) link carries in its
 * fragment, and what `POST /sign-in` (http/sign-in-link.ts) exchanges for an admin token.
 *
 * A code is 32 random bytes in base64url (43 characters): 8 bytes of selector, which finds its
 * row, and 24 bytes (192 bits) of secret, of which only the SHA-256 is stored. The database is
 * the one place every process shares (CAJA_WORKERS workers, other instances, the CLI), so a code
 * made anywhere is good on any of them; using it deletes its row, so it is good only once.
 */
const SELECTOR_BYTES = 8;
const CODE_BYTES = 32;
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedCode {
  code: string;
  expiresAt: Date;
}

/** A new code, valid for `ttlSeconds` by the database's clock; expired codes are swept on the way. */
export async function issueSignInCode(db: Database, ttlSeconds: number): Promise<IssuedCode> {
  const bytes = randomBytes(CODE_BYTES);
  const { selector, secret } = split(bytes);
  await db.delete(signInCodes).where(lte(signInCodes.expiresAt, sql`now()`));
  const [row] = await db
    .insert(signInCodes)
    .values({ selector, secretHash: sha256(secret), expiresAt: sql`now() + ${ttlSeconds} * interval '1 second'` })
    .returning({ expiresAt: signInCodes.expiresAt });
  if (!row) throw new Error("the sign-in code was not stored");
  return { code: bytes.toString("base64url"), expiresAt: row.expiresAt };
}

/**
 * True once for a live code: the request that deletes its row. False for anything else (malformed,
 * unknown, wrong secret, expired, already used), without saying which.
 */
export async function redeemSignInCode(db: Database, code: string): Promise<boolean> {
  if (!CODE_PATTERN.test(code)) return false;
  const { selector, secret } = split(Buffer.from(code, "base64url"));
  const [row] = await db
    .select({ secretHash: signInCodes.secretHash })
    .from(signInCodes)
    .where(eq(signInCodes.selector, selector));
  // The secret is compared here, in constant time, rather than in the WHERE clause of a lookup.
  if (!row || !timingSafeEqual(Buffer.from(row.secretHash, "hex"), Buffer.from(sha256(secret), "hex"))) return false;
  // An expired code is deleted too (it is of no use to anyone), but does not sign in.
  const [used] = await db
    .delete(signInCodes)
    .where(and(eq(signInCodes.selector, selector), eq(signInCodes.secretHash, row.secretHash)))
    .returning({ live: sql<boolean>`${signInCodes.expiresAt} > now()` });
  return used?.live === true;
}

function split(bytes: Buffer): { selector: string; secret: Buffer } {
  return { selector: bytes.subarray(0, SELECTOR_BYTES).toString("hex"), secret: bytes.subarray(SELECTOR_BYTES) };
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
