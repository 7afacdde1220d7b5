import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { bearerToken, type Claims } from "./auth/tokens";
import type { Context } from "./context";
import { CajaError, toCajaError, toTRPCError } from "./errors";
import type { LimitClass } from "./ratelimit";

export type CajaMeta = OpenApiMeta<{
  /** Rate-limit class; by default `read` for queries and `write` for mutations. */
  limit?: LimitClass;
  /** A polling route: served with ETag / 304 over REST. */
  poll?: boolean;
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

/** Domain errors thrown by services become TRPCErrors with the matching status. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

const rateLimited = (retryAfter: number) =>
  new CajaError("RATE_LIMITED", "Too many requests", { retry_after: retryAfter }, retryAfter);

const authenticated = t.middleware(async ({ ctx, meta, type, next }) => {
  const token = bearerToken(ctx.headers.get("authorization"));
  if (!token) throw new CajaError("UNAUTHORIZED", "Missing bearer token", { reason: "Authorization: Bearer <jwt> required" });
  const claims: Claims = ctx.tokens.verify(token);
  const cls = meta?.limit ?? (type === "query" ? "read" : "write");
  const verdict = await ctx.limiter.check(cls, claims.sub);
  if (!verdict.ok) throw rateLimited(verdict.retryAfter);
  if (claims.role === "participant") ctx.presence.touch(claims.participant_id);
  return next({ ctx: { claims } });
});

/** No token needed (join); limited per caller address, generously, since a classroom shares one. */
export const publicProcedure = t.procedure.use(mapErrors).use(async ({ ctx, meta, next }) => {
  const verdict = await ctx.limiter.check(meta?.limit ?? "join", ctx.ip);
  if (!verdict.ok) throw rateLimited(verdict.retryAfter);
  return next();
});

/** Any valid token: admins and participants (access to the session is checked in the service). */
export const authedProcedure = t.procedure.use(mapErrors).use(authenticated);

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.claims.role !== "admin") throw new CajaError("FORBIDDEN", "Admin role required");
  return next({ ctx: { claims: ctx.claims } });
});

export const participantProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.claims.role !== "participant") throw new CajaError("FORBIDDEN", "Participant role required");
  return next({ ctx: { claims: ctx.claims } });
});
