import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { bearerToken, type AdminClaims, type Claims, type ParticipantClaims, type Role } from "./auth/tokens";
import type { AccessRule } from "./access/policy";
import type { Context } from "./context";
import { CajaError, toCajaError, toTRPCError, type ErrorCode } from "./errors";
import { addressLimitKey, type LimitClass } from "./ratelimit";

export type CajaMeta = OpenApiMeta<{
  /** Who may call the procedure (see `access/policy.ts`); required so no procedure goes undeclared. */
  access: AccessRule;
  /** Rate-limit class; by default `read` for queries and `write` for mutations. */
  limit?: LimitClass;
  /** A polling route: served with ETag / 304 over REST. */
  poll?: boolean;
  /**
   * Domain errors the procedure may answer beyond those its access rule, path,
   * input and body imply (the 409s, a 404 without a path id): the OpenAPI
   * document lists them on the operation.
   */
  errors?: readonly ErrorCode[];
}>;

const t = initTRPC
  .context<Context>()
  .meta<CajaMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const caja = toCajaError(error);
      // tRPC errors carry the same code and details as the REST error body; never a stack.
      return {
        message: caja.message,
        code: shape.code,
        data: {
          code: caja.code,
          details: caja.details,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(caja.retryAfter ? { retryAfter: caja.retryAfter } : {}),
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

const rateLimited = (retryAfter: number) =>
  new CajaError("RATE_LIMITED", "Too many requests", { retry_after: retryAfter }, retryAfter);

type Requirement = "none" | "any" | Role;

/** Verifies the bearer token, checks the role and the caller's rate limit; counts the call as presence. */
async function authenticate(
  ctx: Context,
  meta: CajaMeta | undefined,
  type: string,
  requirement: Requirement,
): Promise<Claims | null> {
  if (requirement === "none") {
    const verdict = await ctx.deps.limiter.check(meta?.limit ?? "join", addressLimitKey(ctx.ip));
    if (!verdict.ok) throw rateLimited(verdict.retryAfter);
    return null;
  }
  const token = bearerToken(ctx.headers.get("authorization"));
  if (!token) throw new CajaError("UNAUTHORIZED", "Missing bearer token", { reason: "Authorization: Bearer <jwt> required" });
  const claims = ctx.deps.tokens.cachedClaims(token) ?? (await verifyCounted(ctx, token));
  if (requirement !== "any" && claims.role !== requirement) {
    throw new CajaError("FORBIDDEN", `${requirement === "admin" ? "Admin" : "Participant"} role required`);
  }
  const verdict = await ctx.deps.limiter.check(meta?.limit ?? (type === "query" ? "read" : "write"), claims.sub);
  if (!verdict.ok) throw rateLimited(verdict.retryAfter);
  if (claims.role === "participant") ctx.deps.presence.touch(claims.participant_id);
  return claims;
}

/**
 * A signature check costs CPU, and a garbage token is free to make: each address
 * gets a budget of failed checks, and once it is spent its unknown tokens are not
 * checked at all until the budget refills (tokens verified before still pass).
 */
async function verifyCounted(ctx: Context, token: string): Promise<Claims> {
  const key = addressLimitKey(ctx.ip);
  const budget = ctx.deps.limiter.peek("invalid_token", key);
  if (!budget.ok) throw rateLimited(budget.retryAfter);
  try {
    return ctx.deps.tokens.verify(token);
  } catch (error) {
    await ctx.deps.limiter.check("invalid_token", key);
    throw error;
  }
}

/**
 * One middleware per builder, doing auth and error mapping together: tRPC copies
 * the context at every middleware, and polls pay that on every request.
 * Domain errors thrown below become TRPCErrors with the matching status.
 */
function guard<TClaims extends Claims | null>(requirement: Requirement) {
  return t.middleware(async ({ ctx, meta, type, next }) => {
    let claims: TClaims;
    try {
      claims = (await authenticate(ctx, meta, type, requirement)) as TClaims;
    } catch (error) {
      throw toTRPCError(error);
    }
    const result = await next({ ctx: { claims } });
    if (!result.ok) throw toTRPCError(result.error);
    return result;
  });
}

/** No token needed (join); limited per caller address, generously, since a classroom shares one. */
export const publicProcedure = t.procedure.use(guard<null>("none"));

/** Any valid token: admins and participants (access to the session is checked in the service). */
export const authedProcedure = t.procedure.use(guard<Claims>("any"));

export const adminProcedure = t.procedure.use(guard<AdminClaims>("admin"));

export const participantProcedure = t.procedure.use(guard<ParticipantClaims>("participant"));
