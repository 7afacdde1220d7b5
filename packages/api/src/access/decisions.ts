import type { Context } from "../context";
import type { GuardedMeta } from "./guard";
import type { Scope } from "./policy";

type Decision = { meta: GuardedMeta | undefined } & ({ scope: Scope } | { refusal: unknown });

/** Keyed by the context a decision was handed with: nothing outside this module can add one. */
const decided = new WeakMap<Context, Decision>();

/**
 * The guard's decision for a call, taken ahead of it (a conditional poll, see
 * revalidation.ts), handed to the call's guard so that it is taken once: one
 * rate-limit count, one presence touch. `ctx` must be that call's alone (its
 * guard takes the decision, once); returned to make the call with.
 */
export function handDecision(ctx: Context, decision: Decision): Context {
  decided.set(ctx, decision);
  return ctx;
}

/** The decision handed with this context for this procedure, once; undefined: the guard decides now. */
export function takeDecision(ctx: Context, meta: GuardedMeta | undefined): Decision | undefined {
  const decision = decided.get(ctx);
  if (!decision || decision.meta !== meta) return undefined;
  decided.delete(ctx);
  return decision;
}
