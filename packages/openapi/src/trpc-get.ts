import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { CajaError, checkPoll, toCajaError, toTRPCError, type Context, type PollCheck } from "@caja/api";
import { batchAnswerBytes, overBudget, type BatchBudget } from "./batch-budget";
import { privateRevalidate } from "./etag";
import { KeptAnswers, sendComputed, sendKept } from "./kept-answers";
import { noteErrorCode } from "./request-notes";
import { invokeProcedure, proceduresOf, trpcErrorAnswer } from "./trpc-internals";

const JSON_TYPE = "application/json";

export interface TrpcGetHandlerOptions {
  router: AnyRouter;
  createContext: (req: IncomingMessage) => Context;
  /** `/trpc` */
  basePath?: string;
  /** Most calls in one `?batch=1` request, for any method (pass the same to tRPC's handler). */
  maxBatchSize?: number;
  /** What a batch's calls may answer together (batch-budget.ts), for any method; none: no budget. */
  batchBudget?: BatchBudget;
  /** Where poll answers are kept (may be shared with the REST adapter: URLs differ); a 32 MB store by default. */
  keptAnswers?: KeptAnswers;
}

/**
 * A fast path for tRPC GET queries (single or `?batch=1`), the requests every
 * SDK screen repeats every 2 s. tRPC's node adapter goes through a Fetch
 * Request per call, about 5x the cost of this path; here the same procedures run
 * through the same middlewares and the same error formatter, and answers carry
 * an ETag so browsers revalidate with 304s; a request whose calls all name
 * their state (`checkPoll`) is answered from the answer kept for its URL in
 * those states before any procedure runs, as on REST. Anything else (mutations, odd
 * shapes) returns false and goes to tRPC's own handler, except three refusals
 * answered here for every method, as JSON in tRPC's error shape (tRPC's handler
 * sends its own as text/plain): a path that is not valid percent-encoding, a
 * batch over `maxBatchSize`, and a batch whose calls could answer more than
 * `batchBudget` allows.
 */
export function createTrpcGetHandler(options: TrpcGetHandlerOptions) {
  const prefix = (options.basePath ?? "/trpc").replace(/\/$/, "") + "/";
  const procedures = proceduresOf(options.router);
  const maxBatchSize = options.maxBatchSize ?? Infinity;
  const kept = options.keptAnswers ?? new KeptAnswers();

  const refuse = (res: ServerResponse, error: CajaError) => {
    noteErrorCode(res.req, error.code);
    const { status, shape } = trpcErrorAnswer(options.router, toTRPCError(error), {
      path: undefined,
      input: undefined,
      ctx: undefined,
    });
    const body = JSON.stringify({ error: shape });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    return true;
  };

  return async function handleTrpcGet(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? "/";
    if (!url.startsWith(prefix)) return false;
    const q = url.indexOf("?");
    const names = decodedPath(url.slice(prefix.length, q === -1 ? undefined : q))?.split(",");
    if (!names) {
      return refuse(
        res,
        new CajaError("VALIDATION_ERROR", "The procedure path is not valid percent-encoding", {
          field: "path",
          reason: "invalid percent-encoding",
        }),
      );
    }
    const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    const batch = params.get("batch") === "1";
    if (batch && names.length > maxBatchSize) {
      return refuse(
        res,
        new CajaError("VALIDATION_ERROR", `A batch holds at most ${maxBatchSize} calls`, {
          field: "batch",
          reason: `at most ${maxBatchSize} calls`,
          max_calls: maxBatchSize,
          calls: names.length,
        }),
      );
    }
    const input = req.method === "GET" ? parsedInput(params) : undefined;
    if (options.batchBudget && batch && names.length > 1) {
      const raw = input && names.map((_, i) => batchEntry(input.value, i));
      const bytes = batchAnswerBytes(procedures, names, req.method, raw, options.batchBudget.sizes);
      const refusal = overBudget(options.batchBudget, bytes);
      if (refusal) return refuse(res, refusal);
    }
    // Unknown names, mutations and other methods: tRPC's handler answers them.
    if (req.method !== "GET" || !names.every((name) => procedures.get(name)?.type === "query")) return false;
    if (!batch && names.length !== 1) return false;
    if (!input) return false;
    const inputs = batch ? names.map((_, i) => batchEntry(input.value, i)) : [input.value];

    const ctx = options.createContext(req);
    let polls: PollCheck[] | undefined;
    let state: string | null = null;
    if (names.every((name) => procedures.get(name)?.meta?.pollState)) {
      // Each call its own context: its guard's decision is handed with it.
      const own = (i: number) => (i === 0 ? ctx : options.createContext(req));
      const checks = names.map((name, i) => checkPoll(own(i), procedures.get(name)?.meta, inputs[i]));
      polls = [];
      // All started above; an await only where one had to wait (most polls wait for none).
      for (const check of checks) polls.push(check instanceof Promise ? await check : check);
      state = statesOf(polls.map((p) => p.state));
      if (sendKept(req, res, kept, url, state, JSON_TYPE)) return true;
    }
    const results = await Promise.all(
      names.map(async (path, i) => {
        try {
          // A conditional poll's guard has decided already: its context carries the decision.
          const callCtx = polls?.[i]?.ctx ?? ctx;
          return {
            status: 200,
            body: { result: { data: await invokeProcedure(options.router, callCtx, path, "query", inputs[i]) } },
          };
        } catch (cause) {
          const { status, shape } = trpcErrorAnswer(options.router, cause, { path, input: inputs[i], ctx });
          noteErrorCode(req, toCajaError(cause).code);
          return { status, body: { error: shape } };
        }
      }),
    );
    const statuses = new Set(results.map((r) => r.status));
    const status = statuses.size === 1 ? (results[0]?.status ?? 200) : 207;
    const body = JSON.stringify(batch ? results.map((r) => r.body) : results[0]?.body);
    if (status === 200) {
      const checked = polls ?? [];
      const after = async () => statesOf(await Promise.all(checked.map((p) => p.again())));
      await sendComputed(req, res, kept, url, { before: polls ? state : null, after }, body, JSON_TYPE);
      return true;
    }
    const headers: Record<string, string> = { ...privateRevalidate, "content-type": JSON_TYPE };
    const retryAfter = results
      .map((r) => (r.body as { error?: { data?: { retryAfter?: number } } }).error?.data?.retryAfter)
      .find((v) => v !== undefined);
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
    headers["content-length"] = String(Buffer.byteLength(body));
    res.writeHead(status, headers).end(body);
    return true;
  };
}

/** The `input` query parameter as JSON, or undefined when it is not JSON (tRPC's handler refuses it). */
function parsedInput(params: URLSearchParams): { value: unknown } | undefined {
  const raw = params.get("input");
  if (raw === null) return { value: undefined };
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch {
    return undefined;
  }
}

/** A batch's input is an object of the calls' inputs by index. */
const batchEntry = (input: unknown, index: number): unknown => (input as Record<string, unknown> | undefined)?.[index];

/** The states of a batch's calls as one, or null when one of them has none. */
function statesOf(states: Array<string | null>): string | null {
  return states.some((s) => s === null) ? null : states.join("\n");
}

function decodedPath(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
