import type { AnyRouter } from "@trpc/server";
import { callProcedure } from "@trpc/server/unstable-core-do-not-import";

/**
 * Calls a procedure by its path, as tRPC's own adapters do: middlewares, input
 * and output validation all run. Cheaper than building a caller proxy per request.
 */
export function invokeProcedure(
  router: AnyRouter,
  ctx: unknown,
  path: string,
  type: "query" | "mutation",
  input: unknown,
): Promise<unknown> {
  return callProcedure({
    router,
    ctx,
    path,
    type,
    getRawInput: () => Promise.resolve(input),
    signal: undefined,
    batchIndex: 0,
  });
}
