import { randomUUID } from "node:crypto";

/**
 * A caller's `X-Request-Id` is kept when it is 1-64 characters of `A-Z a-z 0-9 . _ : -`
 * (a UUID, a trace id, a load balancer's id); anything else is replaced by a new UUID.
 * The bound keeps a log line's size and charset in hand, and keeps out what must never
 * be logged: a bearer token sent there by mistake is longer than 64 characters.
 */
const acceptable = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && acceptable.test(header) ? header : randomUUID();
}
