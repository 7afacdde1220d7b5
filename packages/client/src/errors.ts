import type { TRPCClientErrorLike } from "@trpc/client";
import type { AppRouter } from "./types";

/** What a failed tRPC call rejects with; `data` carries Caja's code, details, httpStatus and retryAfter. */
export type CajaClientError = TRPCClientErrorLike<AppRouter>;

interface ErrorData {
  code?: string;
  httpStatus?: number;
  /** Seconds, sent with 429 (and 503 when the server knows). */
  retryAfter?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

function errorData(error: unknown): ErrorData | undefined {
  if (!isRecord(error) || !isRecord(error.data)) return undefined;
  const { code, httpStatus, retryAfter } = error.data;
  return {
    code: typeof code === "string" ? code : undefined,
    httpStatus: typeof httpStatus === "number" ? httpStatus : undefined,
    retryAfter: typeof retryAfter === "number" ? retryAfter : undefined,
  };
}

/** The HTTP status behind a failed call, or undefined when the request never got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  return errorData(error)?.httpStatus;
}

/** Caja's error code (`RATE_LIMITED`, `NOT_FOUND`, ...) of a failed call. */
export function cajaErrorCode(error: unknown): string | undefined {
  return errorData(error)?.code;
}

/** How long the server asked us to wait (ms), from a tRPC error's `data.retryAfter`. */
export function retryAfterMs(error: unknown): number | undefined {
  const seconds = errorData(error)?.retryAfter;
  return seconds !== undefined && seconds >= 0 ? seconds * 1000 : undefined;
}

/** A `Retry-After` header (delta-seconds or an HTTP date) in ms; for REST responses. */
export function retryAfterHeaderMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Worth trying again later: no answer at all (network), a timeout, rate limiting, or a
 * server-side failure. A 4xx like 401/403/404 will not fix itself by waiting.
 */
export function isTransientError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
