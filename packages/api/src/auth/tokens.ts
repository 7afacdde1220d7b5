import { createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import jwt, { type Algorithm } from "jsonwebtoken";
import { z } from "zod";
import type { ParticipantId, SessionId } from "@caja/db";
import { CajaError } from "../errors";
import { serialId } from "../schemas/common";

export const roles = ["admin", "participant"] as const;
export type Role = (typeof roles)[number];

export interface AdminClaims {
  sub: string;
  role: "admin";
}
export interface ParticipantClaims {
  sub: string;
  role: "participant";
  session_id: SessionId;
  participant_id: ParticipantId;
  /** The participant row's `token_id`: a token outlives neither its row nor a removal. */
  tid: string;
}
export type Claims = AdminClaims | ParticipantClaims;

const claimsSchema = z.discriminatedUnion("role", [
  z.object({ sub: z.string().min(1).max(255), role: z.literal("admin"), exp: z.number() }),
  z.object({
    sub: z.string().min(1),
    role: z.literal("participant"),
    exp: z.number(),
    session_id: serialId,
    participant_id: serialId,
    tid: z.string().min(1).max(64),
  }),
]);

export interface TokenConfig {
  /** HS256 secret: signs participant tokens, and verifies HS256 tokens. */
  secret: string;
  /** PEM public key (RS256/ES256): verifies admin tokens from an identity provider. */
  publicKey?: string;
  issuer?: string;
  audience?: string;
}

const asymmetric: Record<string, Algorithm[]> = {
  rsa: ["RS256"],
  "rsa-pss": ["PS256"],
  ec: ["ES256"],
};

/**
 * Builds the keys once: `jsonwebtoken.verify` with a string secret re-derives a
 * key object per call (~400 µs); with a KeyObject it is ~8 µs.
 * Small verified-token cache because every screen re-sends the same token every 2 s.
 */
export class TokenService {
  private readonly hmacKey: KeyObject;
  private readonly publicKey?: KeyObject;
  private readonly publicAlgorithms: Algorithm[] = [];
  private readonly verified = new Map<string, { claims: Claims; exp: number }>();

  constructor(private readonly config: TokenConfig) {
    this.hmacKey = createSecretKey(Buffer.from(config.secret, "utf8"));
    if (config.publicKey) {
      // A bare key accepts any token it ever signed, for any service of that identity provider.
      if (!config.issuer || !config.audience) throw new Error("JWT_PUBLIC_KEY requires JWT_ISSUER and JWT_AUDIENCE");
      this.publicKey = createPublicKey(config.publicKey);
      this.publicAlgorithms = asymmetric[this.publicKey.asymmetricKeyType ?? ""] ?? [];
      if (this.publicAlgorithms.length === 0) {
        throw new Error(`JWT_PUBLIC_KEY: unsupported key type ${this.publicKey.asymmetricKeyType}`);
      }
    }
  }

  verify(token: string, nowMs = Date.now()): Claims {
    const claims = this.cachedClaims(token, nowMs) ?? this.verifyUncached(token);
    if (this.verified.size >= 50_000) this.verified.clear();
    return claims;
  }

  /** The claims of a token verified before and not yet expired: no signature check. */
  cachedClaims(token: string, nowMs = Date.now()): Claims | undefined {
    const hit = this.verified.get(token);
    return hit && hit.exp * 1000 + 30_000 > nowMs ? hit.claims : undefined;
  }

  private verifyUncached(token: string): Claims {
    const header = decodeHeaderAlg(token);
    // The key is chosen by algorithm and each key is pinned to its algorithms, so an
    // HS256 token can never be checked against the public key (algorithm confusion).
    const useHmac = header === "HS256";
    if (!useHmac && !(this.publicKey && this.publicAlgorithms.includes(header as Algorithm))) {
      throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: `algorithm ${header} not accepted` });
    }
    let payload: unknown;
    try {
      payload = jwt.verify(token, useHmac ? this.hmacKey : (this.publicKey as KeyObject), {
        algorithms: useHmac ? ["HS256"] : this.publicAlgorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: 30,
      });
    } catch (error) {
      throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: rejectionReason(error) });
    }
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) {
      throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: "missing or malformed claims" });
    }
    // Participant identities are ours: only tokens we signed may carry them.
    if (parsed.data.role === "participant" && !useHmac) {
      throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: "participant tokens must be issued by Caja" });
    }
    const { exp, ...claims } = parsed.data;
    this.verified.set(token, { claims, exp });
    return claims;
  }

  sign(claims: Claims, ttlSeconds: number): { token: string; expiresAt: Date } {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const token = jwt.sign({ ...claims, exp }, this.hmacKey, {
      algorithm: "HS256",
      ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
      ...(this.config.audience ? { audience: this.config.audience } : {}),
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }
}

/**
 * Why jsonwebtoken refused a token, in words that never carry the configured
 * issuer or audience (its messages do: "jwt issuer invalid. expected: ...").
 */
function rejectionReason(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return "token expired";
  if (error instanceof jwt.NotBeforeError) return "token not yet valid";
  const message = error instanceof Error ? error.message : "";
  if (message.startsWith("jwt issuer invalid")) return "issuer not accepted";
  if (message.startsWith("jwt audience invalid")) return "audience not accepted";
  return message === "" || message.includes("expected") ? "token not accepted" : message;
}

function decodeHeaderAlg(token: string): string {
  const dot = token.indexOf(".");
  if (dot <= 0) throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: "malformed token" });
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8")) as { alg?: unknown };
    return typeof header.alg === "string" ? header.alg : "none";
  } catch {
    throw new CajaError("UNAUTHORIZED", "Invalid token", { reason: "malformed token" });
  }
}

/** `Authorization: Bearer <jwt>` -> the token, or null. */
export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** "90s", "15m", "12h", "7d" or plain seconds -> seconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * (durationUnits[match[2] || "s"] ?? 1);
}
