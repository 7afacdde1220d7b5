/** PostgreSQL error code of a failed query, through drizzle's wrapper on either driver. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => pgErrorCode(error) === "23505";
export const isForeignKeyViolation = (error: unknown) => pgErrorCode(error) === "23503";

/**
 * The innermost error code along the cause chain: a PostgreSQL SQLSTATE, a driver code
 * (`CONNECTION_CLOSED`), or a Node system error (`EPIPE`). Innermost, because the
 * wrappers on the way out carry codes of their own (a TRPCError's `INTERNAL_SERVER_ERROR`)
 * that say nothing about the cause. For logs of errors no mapping knows.
 */
export function databaseErrorCode(error: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") found = code;
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

// Connection failures, server shutdown/overload, and statements cancelled by a
// timeout or a request's deadline: the request may succeed if retried later.
const unavailableSqlStates = new Set([
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08P01",
  "25P03",
  "53300",
  "57014",
  "57P01",
  "57P02",
  "57P03",
  "57P05",
]);
const unavailableDriverCodes = new Set([
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECTION_CLOSED",
  "CONNECT_TIMEOUT",
  "DEADLINE_EXCEEDED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTCONN",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_WRITE_AFTER_END",
]);

/** True when the database could not be reached (or not in time), as opposed to a query that failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (unavailableSqlStates.has(code) || unavailableDriverCodes.has(code))) return true;
    // PGlite after close() throws a plain Error with this message.
    if (current instanceof Error && /PGlite is closed/i.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
