import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { validationDetails, type FieldIssue } from "@caja/activities";
import { isDatabaseUnavailable } from "@caja/db";

/**
 * The one place where errors become the wire format
 * `{ "error": { "code", "message", "details" } }`.
 */
export const errorCodes = {
  VALIDATION_ERROR: { status: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  /** The participant was removed (kicked, left), or the token names a row that no longer exists. */
  PARTICIPANT_REMOVED: { status: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN" },
  /** The owner hid the results (`results_visible: false`), or fewer than `min_responses_to_show` exist. */
  RESULTS_HIDDEN: { status: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { status: 405, trpc: "METHOD_NOT_SUPPORTED" },
  CONFLICT: { status: 409, trpc: "CONFLICT" },
  INVALID_TRANSITION: { status: 409, trpc: "CONFLICT" },
  NICKNAME_TAKEN: { status: 409, trpc: "CONFLICT" },
  SESSION_FULL: { status: 409, trpc: "CONFLICT" },
  SESSION_CLOSED: { status: 409, trpc: "CONFLICT" },
  JOINS_LOCKED: { status: 409, trpc: "CONFLICT" },
  ACTIVITY_NOT_ACTIVE: { status: 409, trpc: "CONFLICT" },
  RESPONSE_SUPERSEDED: { status: 409, trpc: "CONFLICT" },
  /** Multiple mode: the participant reached `max_responses_per_participant`. */
  RESPONSE_LIMIT_REACHED: { status: 409, trpc: "CONFLICT" },
  /** The activity's time limit (`ends_at`) has passed. */
  ACTIVITY_TIME_UP: { status: 409, trpc: "CONFLICT" },
  /** A participant tried to upvote its own entry. */
  OWN_RESPONSE_VOTE: { status: 409, trpc: "CONFLICT" },
  /** The activity's type takes no votes (only types that declare `votes`, e.g. qa). */
  VOTES_NOT_SUPPORTED: { status: 409, trpc: "CONFLICT" },
  /** A request with this Idempotency-Key is still being processed. */
  IDEMPOTENCY_KEY_IN_USE: { status: 409, trpc: "CONFLICT" },
  /** The same Idempotency-Key was sent with a different body. */
  IDEMPOTENCY_KEY_REUSED: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** The request did not arrive in time (headers or body sent too slowly): answered by the HTTP server, never by a procedure. */
  REQUEST_TIMEOUT: { status: 408, trpc: "TIMEOUT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  /** Request headers over the server's size or count limit: answered by the HTTP server (tRPC has no 431 code). */
  HEADERS_TOO_LARGE: { status: 431, trpc: "BAD_REQUEST" },
  INTERNAL_ERROR: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
  SERVICE_UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
} as const satisfies Record<string, { status: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ErrorCode = keyof typeof errorCodes;
export type ErrorDetails = Record<string, unknown>;

/** A domain error: services throw these; they know nothing of tRPC or HTTP. */
export class CajaError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  /** Seconds, for RATE_LIMITED and SERVICE_UNAVAILABLE. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, retryAfter?: number) {
    super(message);
    this.name = "CajaError";
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export const notFound = (what: string, id?: unknown) =>
  new CajaError("NOT_FOUND", `${what} not found`, id === undefined ? {} : { id });

/** A participant token whose seat is gone (removed, or another token took it): join again. */
export const participantRemoved = (participantId: number) =>
  new CajaError("PARTICIPANT_REMOVED", "You are no longer a participant of this session; join again", {
    participant_id: participantId,
  });

export const validationError = (field: string, reason: string) =>
  new CajaError("VALIDATION_ERROR", `Invalid ${field}: ${reason}`, { field, reason });

/** An activity config or response that its type refuses; `details` in the API's usual form (first field, all issues). */
export const invalidActivityInput = (message: string, issues: readonly FieldIssue[]) =>
  new CajaError("VALIDATION_ERROR", message, validationDetails(issues));

export interface WireError {
  status: number;
  body: { error: { code: ErrorCode; message: string; details: ErrorDetails } };
  retryAfter?: number;
}

const trpcToCode: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: "VALIDATION_ERROR",
  PARSE_ERROR: "VALIDATION_ERROR",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_SUPPORTED: "METHOD_NOT_ALLOWED",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

function fromZod(error: ZodError): CajaError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  const reason = issue?.message ?? "Invalid input";
  return new CajaError("VALIDATION_ERROR", `Invalid ${field}: ${reason}`, {
    field,
    reason,
    ...(error.issues.length > 1 ? { issues: error.issues.map((i) => ({ field: i.path.join("."), reason: i.message })) } : {}),
  });
}

/** Instances reconnect within a second or so of PostgreSQL returning: ask clients back soon. */
const UNAVAILABLE_RETRY_AFTER_S = 2;

/** Any thrown value -> the CajaError it means. Unknown errors become INTERNAL_ERROR without their text. */
export function toCajaError(error: unknown): CajaError {
  if (error instanceof CajaError) return error;
  if (error instanceof ZodError) return fromZod(error);
  if (error instanceof TRPCError) {
    if (error.cause instanceof CajaError) return error.cause;
    if (error.cause instanceof ZodError) return fromZod(error.cause);
    const code = trpcToCode[error.code];
    if (code) return new CajaError(code, error.message);
  }
  if (isDatabaseUnavailable(error)) {
    return new CajaError("SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly", {}, UNAVAILABLE_RETRY_AFTER_S);
  }
  return new CajaError("INTERNAL_ERROR", "Internal server error");
}

export function toWireError(error: unknown): WireError {
  const e = toCajaError(error);
  return {
    status: errorCodes[e.code].status,
    body: { error: { code: e.code, message: e.message, details: e.details } },
    retryAfter: e.retryAfter,
  };
}

/** Wraps a CajaError in the TRPCError that carries the right status over /trpc. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError && !(error.cause instanceof CajaError) && !(error.cause instanceof ZodError)) {
    return error;
  }
  const e = toCajaError(error);
  return new TRPCError({ code: errorCodes[e.code].trpc, message: e.message, cause: e });
}
