import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { takeDecision } from "./access/decisions";
import { authorize } from "./access/guard";
import { seatFirst } from "./access/seat-first";
import type { AccessRule, ScopeByRule } from "./access/policy";
import type { AnswerBound } from "./answer-bounds";
import type { Context } from "./context";
import { toCajaError, toTRPCError, type ErrorCode } from "./errors";
import type { LimitClass } from "./ratelimit";
import type { PollState } from "./revalidation";

export type CajaMeta = OpenApiMeta<{
  /** Who may call the procedure (see `access/policy.ts`); required so no procedure goes undeclared. */
  access: AccessRule;
  /** Rate-limit class; by default `read` for queries and `write` for mutations. */
  limit?: LimitClass;
  /** A polling route: served with ETag / 304 over REST. */
  poll?: boolean;
  /**
   * What a polling route's answer is a pure function of (see revalidation.ts): lets the
   * HTTP adapters answer a conditional poll with 304 after the guard, before the procedure.
   */
  pollState?: PollState;
  /**
   * A public answer that is the same for every caller (the activity types): REST sends
   * `Cache-Control: public, max-age=<this>` instead of `no-store`.
   */
  publicMaxAgeSeconds?: number;
  /**
   * The REST success status when it is not the method's usual one: a POST that creates
   * nothing new when repeated (a vote) answers 200, not 201.
   */
  okStatus?: 200;
  /**
   * Domain errors the procedure may answer beyond those its access rule, path,
   * input and body imply (the 409s, a 404 without a path id): the OpenAPI
   * document lists them on the operation.
   */
  errors?: readonly ErrorCode[];
  /**
   * Over REST the route answers a file of this media type, streamed by the server,
   * instead of the procedure's JSON: the procedure authorises and names what to
   * stream (e.g. the exports, routers/export.ts).
   */
  produces?: "text/csv";
  /**
   * A participant write whose own statement checks the caller's seat (row present, not
   * removed, same token id): the guard skips its separate read of the seat for it (one round
   * trip fewer); `seatFirst` keeps a lost seat the answer when the call fails otherwise.
   */
  seatCheckedInWrite?: boolean;
  /**
   * The most bytes the answer can reach for an input (answer-bounds.ts); undeclared: one
   * record's bound. A tRPC batch's calls share a budget of these, checked before any runs.
   */
  answerBytes?: AnswerBound;
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

/**
 * The guard as a middleware, typed per rule. One middleware does auth and error
 * mapping together: tRPC copies the context at every middleware, and polls pay
 * that on every request. Domain errors thrown below become TRPCErrors with the
 * matching status.
 */
function guard<TRule extends AccessRule>() {
  return t.middleware(async ({ ctx, meta, type, getRawInput, next }) => {
    let scope: ScopeByRule[TRule];
    try {
      // Taken ahead of the call for a conditional poll (revalidation.ts), or now.
      const decided = takeDecision(ctx, meta);
      if (decided && "refusal" in decided) throw decided.refusal;
      // The builder for TRule is only handed out for `meta.access: TRule` (see `procedure`).
      scope = (decided ? decided.scope : await authorize({ ctx, meta, type, getRawInput })) as ScopeByRule[TRule];
    } catch (error) {
      throw toTRPCError(await seatFirst(ctx, meta, type, error));
    }
    const result = await next({ ctx: scope });
    if (!result.ok) throw toTRPCError(await seatFirst(ctx, meta, type, result.error));
    return result;
  });
}

const guarded = {
  public: t.procedure.use(guard<"public">()),
  admin: t.procedure.use(guard<"admin">()),
  owner: t.procedure.use(guard<"owner">()),
  member: t.procedure.use(guard<"member">()),
  participant: t.procedure.use(guard<"participant">()),
};

/**
 * The one procedure builder. It starts with `.meta({ access, ... })`, so a procedure
 * cannot be built without declaring who may call it; the context it hands the
 * resolver is typed by that rule (`ctx.claims`, and `ctx.session` / `ctx.activity`
 * resolved from the input's ids).
 */
export const procedure = {
  meta<TRule extends AccessRule>(meta: CajaMeta & { access: TRule }): (typeof guarded)[TRule] {
    const builder: (typeof guarded)[AccessRule] = guarded[meta.access];
    return builder.meta(meta) as (typeof guarded)[TRule];
  },
};
