import { createHmac, generateKeyPairSync, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CajaError, TokenService, bearerToken } from "../src/index";

const SECRET = "auth-test-secret-0123456789abcdefghijkl";
const nowSeconds = () => Math.floor(Date.now() / 1000);
const hour = () => nowSeconds() + 3600;

/** The UNAUTHORIZED CajaError a token is refused with. */
function refusal(service: TokenService, token: string): CajaError {
  try {
    service.verify(token);
  } catch (error) {
    if (!(error instanceof CajaError)) throw error;
    expect(error.code).toBe("UNAUTHORIZED");
    return error;
  }
  throw new Error("the token was accepted");
}

/** The identity provider's issuer and audience, which a public key always comes with. */
const idp = { issuer: "https://idp.example", audience: "caja" };
const idpSigned = (algorithm: "RS256" | "ES256") => ({ algorithm, issuer: idp.issuer, audience: idp.audience });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An HS256 JWT signed by hand, so that nothing in a library can refuse to make it. */
function handSigned(payload: object, key: string, header: object = { alg: "HS256", typ: "JWT" }): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("TokenService: HS256", () => {
  const tokens = new TokenService({ secret: SECRET });

  it("verifies the admin and participant tokens it signs, returning only the claims", () => {
    const admin = tokens.sign({ sub: "alice", role: "admin" }, 60);
    expect(admin.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(tokens.verify(admin.token)).toEqual({ sub: "alice", role: "admin" });
    const participant = { sub: "participant:7", role: "participant" as const, session_id: 3, participant_id: 7, tid: "t-7" };
    expect(tokens.verify(tokens.sign(participant, 60).token)).toEqual(participant);
  });

  it("accepts an HS256 token from another signer with the same secret", () => {
    const token = jwt.sign({ sub: "ops", role: "admin", exp: hour() }, SECRET, { algorithm: "HS256" });
    expect(tokens.verify(token)).toEqual({ sub: "ops", role: "admin" });
  });

  it("refuses a token signed with another secret, or with its payload changed", () => {
    refusal(tokens, handSigned({ sub: "alice", role: "admin", exp: hour() }, "another-secret-0123456789abcdefghijklmn"));
    const signed = tokens.sign({ sub: "p", role: "participant", session_id: 1, participant_id: 1, tid: "t-1" }, 60).token;
    const [header, , signature] = signed.split(".");
    refusal(tokens, `${header}.${b64({ sub: "p", role: "admin", exp: hour() })}.${signature}`);
  });

  it("refuses a token expired beyond the 30 s tolerance, and says so", () => {
    const error = refusal(tokens, handSigned({ sub: "alice", role: "admin", exp: nowSeconds() - 60 }, SECRET));
    expect(error.details.reason).toBe("token expired");
  });

  it("accepts a token expired within the 30 s tolerance", () => {
    expect(tokens.verify(handSigned({ sub: "alice", role: "admin", exp: nowSeconds() - 10 }, SECRET))).toEqual({
      sub: "alice",
      role: "admin",
    });
  });

  it("does not let its cache keep a token alive past exp + tolerance", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const token = handSigned({ sub: "alice", role: "admin", exp: Math.floor(start / 1000) + 60 }, SECRET);
    expect(tokens.verify(token).sub).toBe("alice");
    vi.setSystemTime(start + 80_000);
    expect(tokens.verify(token).sub).toBe("alice");
    vi.setSystemTime(start + 100_000);
    refusal(tokens, token);
  });

  it("refuses a token without exp", () => {
    refusal(tokens, jwt.sign({ sub: "alice", role: "admin" }, SECRET, { algorithm: "HS256" }));
    refusal(tokens, handSigned({ sub: "alice", role: "admin" }, SECRET));
  });

  it("refuses a token that is not valid yet (nbf)", () => {
    refusal(tokens, handSigned({ sub: "alice", role: "admin", exp: hour(), nbf: hour() - 60 }, SECRET));
  });

  it.each([
    ["no role", { sub: "alice", exp: 0 }],
    ["an unknown role", { sub: "alice", role: "root", exp: 0 }],
    ["an empty sub", { sub: "", role: "admin", exp: 0 }],
    ["a participant without session_id", { sub: "p", role: "participant", participant_id: 1, exp: 0 }],
    ["a participant with a string participant_id", { sub: "p", role: "participant", session_id: 1, participant_id: "1", exp: 0 }],
  ])("refuses claims with %s", (_, claims) => {
    const error = refusal(tokens, handSigned({ ...claims, exp: hour() }, SECRET));
    expect(error.details.reason).toBe("missing or malformed claims");
  });

  it.each([
    ["alg none with no signature", (p: object) => `${b64({ alg: "none", typ: "JWT" })}.${b64(p)}.`],
    ["alg None", (p: object) => `${b64({ alg: "None", typ: "JWT" })}.${b64(p)}.`],
    ["no alg at all", (p: object) => handSigned(p, SECRET, { typ: "JWT" })],
    ["alg none carrying a valid HS256 signature", (p: object) => handSigned(p, SECRET, { alg: "none" })],
  ])("refuses %s", (_, make) => {
    refusal(tokens, make({ sub: "alice", role: "admin", exp: hour() }));
  });

  it.each(["", "garbage", "a.b", "a.b.c", `${Buffer.from("not json").toString("base64url")}.e30.sig`])(
    "refuses the malformed token %j with UNAUTHORIZED, not a crash",
    (token) => {
      refusal(tokens, token);
    },
  );
});

describe("TokenService: issuer and audience", () => {
  const tokens = new TokenService({ secret: SECRET, issuer: "https://id.example", audience: "caja-api" });

  it("signs with them and accepts its own tokens", () => {
    const token = tokens.sign({ sub: "alice", role: "admin" }, 60).token;
    expect(jwt.decode(token)).toMatchObject({ iss: "https://id.example", aud: "caja-api" });
    expect(tokens.verify(token).sub).toBe("alice");
  });

  it.each([
    ["a wrong issuer", { iss: "https://evil.example", aud: "caja-api" }],
    ["a wrong audience", { iss: "https://id.example", aud: "other-api" }],
    ["no issuer", { aud: "caja-api" }],
    ["no audience", { iss: "https://id.example" }],
  ])("refuses %s", (_, extra) => {
    refusal(tokens, handSigned({ sub: "alice", role: "admin", exp: hour(), ...extra }, SECRET));
  });

  it("never tells the caller which issuer or audience it expects", () => {
    const wrongIssuer = refusal(tokens, handSigned({ sub: "a", role: "admin", exp: hour(), iss: "x", aud: "caja-api" }, SECRET));
    const wrongAudience = refusal(
      tokens,
      handSigned({ sub: "a", role: "admin", exp: hour(), iss: "https://id.example", aud: "y" }, SECRET),
    );
    expect(wrongIssuer.details).toEqual({ reason: "issuer not accepted" });
    expect(wrongAudience.details).toEqual({ reason: "audience not accepted" });
    for (const error of [wrongIssuer, wrongAudience]) {
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/id\.example|caja-api/);
    }
  });

  it("a service without them configured ignores them", () => {
    const plain = new TokenService({ secret: SECRET });
    expect(plain.verify(handSigned({ sub: "a", role: "admin", exp: hour(), iss: "x", aud: "y" }, SECRET)).sub).toBe("a");
  });
});

describe("TokenService: RS256 / ES256 admin tokens from an identity provider", () => {
  let rsa: { privateKey: KeyObject; publicPem: string };
  let tokens: TokenService;

  beforeAll(() => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    rsa = { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString() };
    tokens = new TokenService({ secret: SECRET, publicKey: rsa.publicPem, ...idp });
  });

  it("refuses a public key without an issuer and an audience: a bare key accepts any token it ever signed", () => {
    expect(() => new TokenService({ secret: SECRET, publicKey: rsa.publicPem })).toThrow(/JWT_ISSUER and JWT_AUDIENCE/);
    expect(() => new TokenService({ secret: SECRET, publicKey: rsa.publicPem, issuer: idp.issuer })).toThrow(/JWT_AUDIENCE/);
  });

  it("refuses an RS256 token of the same key made for another audience", () => {
    const token = jwt.sign({ sub: "idp|42", role: "admin", exp: hour() }, rsa.privateKey, {
      algorithm: "RS256",
      issuer: idp.issuer,
      audience: "another-app",
    });
    expect(refusal(tokens, token).details).toEqual({ reason: "audience not accepted" });
  });

  it("accepts an RS256 admin token signed by the configured key", () => {
    const token = jwt.sign({ sub: "idp|42", role: "admin", exp: hour() }, rsa.privateKey, idpSigned("RS256"));
    expect(tokens.verify(token)).toEqual({ sub: "idp|42", role: "admin" });
  });

  it("still accepts its own HS256 tokens next to the public key", () => {
    expect(tokens.verify(tokens.sign({ sub: "alice", role: "admin" }, 60).token).sub).toBe("alice");
  });

  it("refuses an HS256 token signed with the public key's PEM text as the secret (algorithm confusion)", () => {
    refusal(tokens, handSigned({ sub: "attacker", role: "admin", exp: hour() }, rsa.publicPem));
  });

  it("refuses a participant token signed by the RS256 key: participant identities are Caja's", () => {
    const token = jwt.sign(
      { sub: "p", role: "participant", session_id: 1, participant_id: 1, tid: "t", exp: hour() },
      rsa.privateKey,
      idpSigned("RS256"),
    );
    expect(refusal(tokens, token).details.reason).toMatch(/participant/);
  });

  it("refuses an RS256 token signed by another key, and any RS256 token when no key is configured", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    refusal(tokens, jwt.sign({ sub: "x", role: "admin", exp: hour() }, other, idpSigned("RS256")));
    const good = jwt.sign({ sub: "x", role: "admin", exp: hour() }, rsa.privateKey, idpSigned("RS256"));
    refusal(new TokenService({ secret: SECRET }), good);
  });

  it("refuses an RS256 token that has expired or lacks exp", () => {
    refusal(tokens, jwt.sign({ sub: "x", role: "admin", exp: nowSeconds() - 60 }, rsa.privateKey, idpSigned("RS256")));
    refusal(tokens, jwt.sign({ sub: "x", role: "admin" }, rsa.privateKey, idpSigned("RS256")));
  });

  it("accepts ES256 with an EC key, and only ES256 with it", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const service = new TokenService({
      secret: SECRET,
      publicKey: ec.publicKey.export({ type: "spki", format: "pem" }).toString(),
      ...idp,
    });
    expect(service.verify(jwt.sign({ sub: "e", role: "admin", exp: hour() }, ec.privateKey, idpSigned("ES256"))).sub).toBe("e");
    refusal(service, jwt.sign({ sub: "r", role: "admin", exp: hour() }, rsa.privateKey, idpSigned("RS256")));
  });

  it("refuses to start with a key type it cannot pin to an algorithm", () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => new TokenService({ secret: SECRET, publicKey: ed, ...idp })).toThrow(/JWT_PUBLIC_KEY: unsupported/);
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer   abc ", "abc"],
    ["Basic abc", null],
    ["Bearer", null],
    ["Bearer a b", null],
    ["", null],
    [undefined, null],
  ])("%j -> %j", (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
