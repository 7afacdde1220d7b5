import { retryAfterHeaderMs, retryAfterMs } from "../../src/index";

export interface LoggedRequest {
  /** ms since the log started */
  at: number;
  /** tRPC procedure path(s) or REST path, e.g. `activity.status` */
  path: string;
  status: number;
  /** For a 429/503: the wait the server asked for, from `Retry-After` or the tRPC error body. */
  retryAfterMs?: number;
}

async function askedWait(response: Response): Promise<number | undefined> {
  const fromHeader = retryAfterHeaderMs(response.headers.get("retry-after"));
  if (fromHeader !== undefined) return fromHeader;
  const body: unknown = await response.clone().json();
  // A tRPC batch answers with one result per call; these tests batch one call at a time.
  const first: unknown = Array.isArray(body) ? body[0] : body;
  return typeof first === "object" && first !== null && "error" in first ? retryAfterMs(first.error) : undefined;
}

/**
 * A fetch that forwards to the real one and writes down what went over the wire, so a test
 * can see when polls happened and how they were answered.
 */
export function loggingFetch(real: typeof fetch = globalThis.fetch) {
  const started = Date.now();
  const requests: LoggedRequest[] = [];
  const logged: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await real(input, init);
    const path = url.pathname.replace(/^\/trpc\//, "");
    const at = Date.now() - started;
    const retryAfter = response.status === 429 || response.status === 503 ? await askedWait(response) : undefined;
    requests.push({ at, path, status: response.status, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) });
    return response;
  };
  return {
    fetch: logged,
    requests,
    /** Requests whose path mentions `procedure`. */
    to: (procedure: string) => requests.filter((r) => r.path.split(",").includes(procedure) || r.path === procedure),
  };
}
