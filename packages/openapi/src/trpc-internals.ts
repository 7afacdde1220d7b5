/**
 * Every use of tRPC internals in Caja, in one file.
 *
 * Why internals at all: the REST adapter and the tRPC GET fast path call
 * procedures by path for every poll. tRPC's public ways to do that (a caller
 * proxy per request, or its fetch adapter with a Request per call) cost several
 * times more than `callProcedure`, which tRPC's own adapters use. The fast path
 * also formats errors exactly as tRPC's handler does, with `getErrorShape`.
 * `router._def` is how the adapters find procedures and their meta.
 *
 * The patch in `patches/@trpc__server@<version>.patch` replaces tRPC's
 * object-spread helper (`_objectSpread2`, emitted by its build) with
 * `Object.assign`: the middleware chain spreads its options several times per
 * call and that helper dominated the poll path (invoke 45 us -> 11 us).
 *
 * `test/trpc-internals.test.ts` fails, loudly, when an upgrade changes any of this.
 * How to upgrade: README, Development; the upstream proposal that would make the
 * patch unnecessary: docs/trpc-native-object-spread.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AnyRouter } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { callProcedure, getErrorShape, getTRPCErrorFromUnknown } from "@trpc/server/unstable-core-do-not-import";
import type { CajaMeta } from "@caja/api";

export type ProcedureType = "query" | "mutation" | "subscription";

export interface ProcedureInfo {
  type: ProcedureType;
  meta: CajaMeta | undefined;
}

/** Each procedure of the router by its dotted path (`session.status`), with its type and meta. */
export function proceduresOf(router: AnyRouter): Map<string, ProcedureInfo> {
  const defs = router._def.procedures as Record<string, { _def: { type: ProcedureType; meta?: CajaMeta } }>;
  return new Map(Object.entries(defs).map(([path, { _def }]) => [path, { type: _def.type, meta: _def.meta }]));
}

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

/** What tRPC's own HTTP handler answers for an error thrown by a query: its status and its formatted shape. */
export function trpcErrorAnswer(
  router: AnyRouter,
  cause: unknown,
  call: { path: string | undefined; input: unknown; ctx: unknown },
): { status: number; shape: unknown } {
  const error = getTRPCErrorFromUnknown(cause);
  // The root type is AnyRouter's, so the shape comes back as `any`; callers only serialise it.
  const shape: unknown = getErrorShape({ config: router._def._config, error, type: "query", ...call });
  return { status: getHTTPStatusCodeFromError(error), shape };
}

/** The marker the patch writes beside its replacement. */
export const SPREAD_PATCH_MARKER = "Caja patch: native copy instead of defineProperty per key";

/**
 * Whether the installed @trpc/server carries the patched spread helper: every
 * copy of `_objectSpread2` in its build is the patched one (and there is one).
 */
export function spreadPatchStatus(): { files: number; patched: number } {
  const dist = dirname(createRequire(import.meta.url).resolve("@trpc/server"));
  let files = 0;
  let patched = 0;
  for (const name of readdirSync(dist).filter((n) => /\.(mjs|cjs)$/.test(n))) {
    const text = readFileSync(join(dist, name), "utf8");
    if (!text.includes("function _objectSpread2(")) continue;
    files++;
    if (text.includes(SPREAD_PATCH_MARKER)) patched++;
  }
  return { files, patched };
}
