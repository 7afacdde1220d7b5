import type { z } from "zod";
import { bearerToken, type Claims } from "../auth/tokens";
import type { Context } from "../context";
import { CajaError, notFound, validationError } from "../errors";
import { andThen, type MaybePromise } from "../maybe-sync";
import { addressLimitKey, type LimitClass } from "../ratelimit";
import { activityId, sessionId } from "../schemas/common";
import { cachedActivityStatus, cachedSessionStatus } from "../services/status";
import { requiredRole, seesDrafts, type AccessRule, type Scope } from "./policy";
import type { ActivityId, SessionId } from "@caja/db";

/** What the guard reads of a procedure's meta (`CajaMeta`, kept structural to avoid a cycle with trpc.ts). */
export interface GuardedMeta {
  access?: AccessRule;
  limit?: LimitClass;
  seatCheckedInWrite?: boolean;
}

export interface GuardCall {
  ctx: Context;
  meta: GuardedMeta | undefined;
  type: string;
  /** tRPC's; a caller that holds the raw input already passes `rawInput` instead. */
  getRawInput?: () => Promise<unknown>;
  rawInput?: unknown;
}

const rateLimited = (retryAfter: number) =>
  new CajaError("RATE_LIMITED", "Too many requests", { retry_after: retryAfter }, retryAfter);

const notParticipant = (id: number) =>
  new CajaError("FORBIDDEN", "You are not a participant of this session", { session_id: id });

const notOwner = (id: number) => new CajaError("FORBIDDEN", "You do not manage this session", { session_id: id });

const unscoped: Omit<Scope, "claims"> = { session: null, activity: null };

/**
 * The one place that decides who may call what. In order: the token (401; an invalid
 * one from an address that spent its budget of invalid tokens gets 429), the rule's role (403), the caller's rate limit (429),
 * a participant's seat (401 PARTICIPANT_REMOVED, or 404 when its session is gone: `SeatCheck`), then for session rules the
 * session or activity named by the input, read once from the polling cache
 * (404 if missing, or an activity of another session), membership (403), and
 * draft hiding (404).
 * Runs before input validation, so it reads the ids from the raw input with the
 * same field schemas the procedure's input uses.
 * The scope itself (or a throw) when every step could answer in this process, as a poll's
 * usually can; a promise when one had to wait (a token to verify, a lease, the database).
 */
export function authorize(call: GuardCall): MaybePromise<Scope> {
  const { ctx, meta, type } = call;
  const rule = meta?.access;
  // Fails closed: `CajaMeta` makes `access` required, so this is a procedure built around it.
  if (!rule) throw new Error("This procedure declares no access rule (meta.access)");
  const deps = ctx.deps;
  const role = requiredRole[rule];

  if (role === "none") {
    return andThen(deps.limiter.check(meta.limit ?? "join", addressLimitKey(ctx.ip)), (verdict) => {
      if (!verdict.ok) throw rateLimited(verdict.retryAfter);
      return { claims: null, ...unscoped };
    });
  }

  const token = bearerToken(ctx.headers.get("authorization"));
  if (!token) throw new CajaError("UNAUTHORIZED", "Missing bearer token", { reason: "Authorization: Bearer <jwt> required" });
  return andThen(deps.tokens.cachedClaims(token) ?? verifyCounted(ctx, token), (claims) => {
    if (role !== "any" && claims.role !== role) {
      throw new CajaError("FORBIDDEN", `${role === "admin" ? "Admin" : "Participant"} role required`);
    }
    return andThen(deps.limiter.check(meta.limit ?? (type === "query" ? "read" : "write"), claims.sub), (verdict) => {
      if (!verdict.ok) throw rateLimited(verdict.retryAfter);
      return andThen(seated(call, claims), () => (rule === "admin" ? { claims, ...unscoped } : scopeOf(call, claims)));
    });
  });
}

/** A participant's seat, then its presence; nothing for an admin. */
function seated({ ctx, meta, type }: GuardCall, claims: Claims): MaybePromise<void> {
  if (claims.role !== "participant") return;
  const { seats, presence } = ctx.deps;
  // A write that checks the seat in its own statement skips this read (see CajaMeta).
  const check =
    meta?.seatCheckedInWrite && type === "mutation"
      ? undefined
      : seats.assertSeated(claims, type !== "query", Date.now(), ctx.deps);
  // Inline, not a named const: the loader's keepNames wraps those in a call per request.
  return andThen(check, () => presence.touch(claims.participant_id));
}

/** The session or activity the input names, and the caller's standing in it. */
function scopeOf({ ctx, type, getRawInput, rawInput }: GuardCall, claims: Claims): MaybePromise<Scope> {
  return andThen(getRawInput ? getRawInput() : rawInput, (raw) => {
    const ref = scopeRef(raw);
    const { activityId, sessionId } = ref;
    if (activityId !== undefined) {
      return andThen(cachedActivityStatus(ctx.deps, activityId), (activity) => {
        if (!activity || (sessionId !== undefined && activity.sessionId !== sessionId)) throw notFound("Activity", activityId);
        admit(claims, activity.sessionId, activity.createdBy);
        // Reads of a draft 404 for participants, as if it did not exist; a write to one is
        // refused by its service (409 ACTIVITY_NOT_ACTIVE), which checks the status in SQL anyway.
        if (type === "query" && activity.status === "draft" && !seesDrafts(claims)) throw notFound("Activity", activityId);
        return { claims, session: null, activity };
      });
    }
    if (sessionId === undefined) throw validationError("session_id", "is required");
    return andThen(cachedSessionStatus(ctx.deps, sessionId), (session) => {
      if (!session) throw notFound("Session", sessionId);
      admit(claims, session.id, session.createdBy);
      return { claims, session, activity: null };
    });
  });
}

/**
 * Failed token checks are counted per address: a client retrying a stale token gets its 401s,
 * one sending garbage gets 429 once the address's budget is spent. Only a token that fails is
 * counted or refused, never one that verifies: the signature check comes first (~8 µs with the
 * key objects of `TokenService`, less than parsing the request), so a valid token behind an
 * address many phones share (a venue's NAT) is not refused for what the others sent.
 */
function verifyCounted(ctx: Context, token: string): MaybePromise<Claims> {
  try {
    return ctx.deps.tokens.verify(token);
  } catch (error) {
    return andThen(ctx.deps.limiter.check("invalid_token", addressLimitKey(ctx.ip)), (budget) => {
      throw budget.ok ? error : rateLimited(budget.retryAfter);
    });
  }
}

/** A participant of this very session, or the admin who created it (the role was checked against the rule). */
function admit(claims: Claims, sessionId: SessionId, createdBy: string): void {
  if (claims.role === "participant") {
    if (claims.session_id !== sessionId) throw notParticipant(sessionId);
  } else if (claims.sub !== createdBy) {
    throw notOwner(sessionId);
  }
}

function scopeRef(raw: unknown): { sessionId?: SessionId; activityId?: ActivityId } {
  if (raw === null || typeof raw !== "object") return {};
  const input = raw as Record<string, unknown>;
  return {
    sessionId: input.session_id === undefined ? undefined : parseField(sessionId, "session_id", input.session_id),
    activityId: input.activity_id === undefined ? undefined : parseField(activityId, "activity_id", input.activity_id),
  };
}

function parseField<T>(schema: z.ZodType<T>, field: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(field, parsed.error.issues[0]?.message ?? "Invalid input");
  return parsed.data;
}
