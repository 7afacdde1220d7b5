import { cajaErrorCode, httpStatusOf, retryAfterMs } from "@caja/client";

/** A sentence for a person from a failed call; the server's own message when it sent one. */
export function describeError(error: unknown): string {
  const status = httpStatusOf(error);
  if (status === undefined) return "Can't reach the server. Check your connection and try again.";
  if (status === 429) {
    const wait = retryAfterMs(error);
    return `Too many requests. Try again${wait ? ` in ${Math.ceil(wait / 1000)} s` : " shortly"}.`;
  }
  const message = error instanceof Error && error.message ? error.message : undefined;
  return message ?? cajaErrorCode(error) ?? `The server answered ${status}.`;
}

/** The caller's token is no good here any more: expired, revoked, or its session is gone. */
export function isLostAccess(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 401 || status === 403 || status === 404;
}
