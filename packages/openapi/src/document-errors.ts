import { STATUS_CODES } from "node:http";
import { errorCodes, type ErrorCode } from "@caja/api";
import type { RestRoute } from "./rest-routes";

export const errorResponseRef = { $ref: "#/components/schemas/ErrorResponse" } as const;

/** What every operation can answer: its caller's rate limit, a fault, a database that is down. */
const everyOperation: ErrorCode[] = ["RATE_LIMITED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"];

export interface OperationShape {
  /** Takes path, query or body input: answers 400 for bad input. */
  hasInput: boolean;
  /** Reads a request body: answers 413 and 415. */
  hasBody: boolean;
  /** Needs a token: answers 401 and 403. */
  needsToken: boolean;
}

/**
 * The error codes an operation can really answer, derived from what it
 * declares rather than listed by hand: its access rule, its path ids, its input
 * and body, and the domain errors in its meta (`errors`).
 */
export function errorCodesFor(route: RestRoute, shape: OperationShape): ErrorCode[] {
  const codes = new Set<ErrorCode>(everyOperation);
  if (shape.hasInput) codes.add("VALIDATION_ERROR");
  if (shape.needsToken) {
    codes.add("UNAUTHORIZED");
    codes.add("FORBIDDEN");
    // A participant token whose participant was removed (or whose row is gone).
    if (route.meta.access === "member" || route.meta.access === "participant") codes.add("PARTICIPANT_REMOVED");
  }
  if (route.segments.some((s) => "param" in s)) codes.add("NOT_FOUND");
  if (shape.hasBody) {
    codes.add("PAYLOAD_TOO_LARGE");
    codes.add("UNSUPPORTED_MEDIA_TYPE");
  }
  for (const code of route.meta.errors ?? []) codes.add(code);
  return [...codes];
}

interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content: { "application/json": { schema: typeof errorResponseRef } };
}

const retryAfter = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 1 } },
};

/**
 * One response per HTTP status, grouping the codes by the status `errors.ts`
 * maps them to, all in the spec's error format.
 */
export function errorResponses(codes: ErrorCode[]): Record<string, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorCodes[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, ResponseObject> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const response: ResponseObject = {
      description: `${STATUS_CODES[status] ?? "Error"}: ${group.map((c) => `\`${c}\``).join(", ")}`,
      content: { "application/json": { schema: errorResponseRef } },
    };
    if (group.includes("RATE_LIMITED") || group.includes("SERVICE_UNAVAILABLE")) response.headers = retryAfter;
    out[String(status)] = response;
  }
  return out;
}
