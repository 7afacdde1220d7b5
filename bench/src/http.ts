import { Pool } from "undici";
import type { ErrorLedger } from "./stats";

/**
 * Keep-alive connections with no pipelining, like browsers. Timeouts are long
 * enough never to cut a slow answer short inside the window (a slow answer is a
 * measurement) yet bounded so a stuck server cannot hang the bench.
 */
export function createPool(url: string, connections: number): Pool {
  return new Pool(url, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
    connectTimeout: 10_000,
  });
}

export interface JsonAnswer<T> {
  status: number;
  etag: string | null;
  body: T;
}

/** A JSON call for setup and checks (not for the measured hot path, which skips body parsing). */
export async function callJson<T>(
  pool: Pool,
  ledger: ErrorLedger,
  method: "GET" | "POST" | "PATCH",
  path: string,
  options: { token?: string; body?: unknown; ifNoneMatch?: string } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.ifNoneMatch) headers["if-none-match"] = options.ifNoneMatch;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await pool.request({
    method,
    path,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.body.text();
  ledger.note(`${method} ${path}`, res.statusCode, text);
  const etag = res.headers.etag;
  return {
    status: res.statusCode,
    etag: typeof etag === "string" ? etag : null,
    body: (text ? JSON.parse(text) : null) as T,
  };
}

/** Like callJson, but anything other than the expected status stops the bench with the answer. */
export async function expectJson<T>(
  pool: Pool,
  ledger: ErrorLedger,
  expected: number,
  method: "GET" | "POST" | "PATCH",
  path: string,
  options: { token?: string; body?: unknown; ifNoneMatch?: string } = {},
): Promise<JsonAnswer<T>> {
  const answer = await callJson<T>(pool, ledger, method, path, options);
  if (answer.status !== expected) {
    throw new Error(`${method} ${path}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return answer;
}

export const paths = {
  sessions: "/api/v1/sessions",
  activities: (sessionId: number) => `/api/v1/sessions/${sessionId}/activities`,
  sessionState: (sessionId: number) => `/api/v1/sessions/${sessionId}/status`,
  activityState: (activityId: string) => `/api/v1/activities/${activityId}/status`,
  join: "/api/v1/sessions/join",
  submit: (sessionId: number, activityId: string) => `/api/v1/sessions/${sessionId}/activities/${activityId}/responses`,
  sessionStatus: (sessionId: number) => `/api/sessions/${sessionId}/status`,
  activityStatus: (sessionId: number, activityId: string) => `/api/sessions/${sessionId}/activities/${activityId}/status`,
  activityResults: (sessionId: number, activityId: string) => `/api/v1/sessions/${sessionId}/activities/${activityId}/results`,
  feed: (sessionId: number, activityId: string, since: string, cursor: string | null, limit: number) =>
    `/api/sessions/${sessionId}/activities/${activityId}/responses/since/${encodeURIComponent(since)}?limit=${limit}` +
    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""),
};
