import { bearerToken } from "../auth/tokens";
import type { Context } from "../context";
import { toCajaError, type ErrorCode } from "../errors";

/**
 * Answers the guard gives before its seat check (or that are the seat check's own, or say
 * the database cannot be asked): they keep their place ahead of a lost seat.
 */
const notAfterSeat = new Set<ErrorCode>(["UNAUTHORIZED", "RATE_LIMITED", "PARTICIPANT_REMOVED", "SERVICE_UNAVAILABLE"]);

/** The answers of the seat check itself. */
const seatAnswers = new Set<ErrorCode>(["PARTICIPANT_REMOVED", "NOT_FOUND"]);

/**
 * A write that checks the participant's seat in its own statement (`meta.seatCheckedInWrite`)
 * skips the guard's separate read of it. When such a call fails before its statement decided
 * (the activity is gone, the input is invalid, ...), the seat is asked now, and a lost one is
 * the answer: a removed participant, or one whose session was deleted, is told so exactly as
 * when the guard asked first. Costs nothing on success.
 */
export async function seatFirst(
  ctx: Context,
  meta: { seatCheckedInWrite?: boolean } | undefined,
  type: string,
  error: unknown,
): Promise<unknown> {
  if (!meta?.seatCheckedInWrite || type !== "mutation") return error;
  if (notAfterSeat.has(toCajaError(error).code)) return error;
  const token = bearerToken(ctx.headers.get("authorization"));
  const claims = token === null ? undefined : ctx.deps.tokens.cachedClaims(token);
  if (claims?.role !== "participant") return error;
  try {
    await ctx.deps.seats.assertSeated(claims, true, Date.now(), ctx.deps);
  } catch (seatError) {
    if (seatAnswers.has(toCajaError(seatError).code)) return seatError;
  }
  return error;
}
