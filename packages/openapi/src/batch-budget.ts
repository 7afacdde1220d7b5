import { CajaError, recordAnswerBound, type AnswerSizes } from "@caja/api";
import type { ProcedureInfo } from "./trpc-internals";

/**
 * What the calls of one tRPC batch may build together. TRPC_MAX_BATCH counts calls, but one
 * call can answer megabytes (a feed page of 1,000 answers of 16 KB; before results were
 * bounded, an activity's every answer): 50 of them made one request build 206 MB. So each
 * procedure declares the most its answer can reach for its input (`meta.answerBytes`, @caja/api
 * answer-bounds.ts) and a batch whose calls could together build more than `maxBytes` is
 * refused, whole, before any of them runs: 413 PAYLOAD_TOO_LARGE naming the batch. A single
 * call (or a batch of one) is bounded by its own limits alone.
 */
export interface BatchBudget {
  maxBytes: number;
  sizes: AnswerSizes;
}

/**
 * The most bytes the batch's calls could answer. A call that will not run costs nothing: an
 * unknown name, or a procedure of the other kind (tRPC answers a query POSTed, or a mutation
 * sent by GET, with METHOD_NOT_SUPPORTED). `inputs` are the raw inputs of a GET batch; a POST
 * batch's are in its body, unread here (mutations' bounds do not depend on them).
 */
export function batchAnswerBytes(
  procedures: ReadonlyMap<string, ProcedureInfo>,
  names: readonly string[],
  method: string | undefined,
  inputs: readonly unknown[] | undefined,
  sizes: AnswerSizes,
): number {
  const runs = method === "GET" ? "query" : method === "POST" ? "mutation" : null;
  let bytes = 0;
  names.forEach((name, i) => {
    const procedure = procedures.get(name);
    if (!procedure || procedure.type !== runs) return;
    bytes += (procedure.meta?.answerBytes ?? recordAnswerBound)(inputs?.[i], sizes);
  });
  return bytes;
}

/** The refusal of a batch over its budget, or null when it fits. */
export function overBudget(budget: BatchBudget, bytes: number): CajaError | null {
  if (bytes <= budget.maxBytes) return null;
  return new CajaError(
    "PAYLOAD_TOO_LARGE",
    `This batch's calls may answer up to ${bytes} bytes together, more than the ${budget.maxBytes} one batch may: send them in smaller batches`,
    {
      field: "batch",
      reason: `at most ${budget.maxBytes} bytes of answers per batch`,
      max_bytes: budget.maxBytes,
      bytes,
    },
  );
}
