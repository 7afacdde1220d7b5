import { handDecision } from "./access/decisions";
import { authorize, type GuardedMeta } from "./access/guard";
import type { Scope } from "./access/policy";
import type { Context } from "./context";
import { andThen, type MaybePromise } from "./maybe-sync";

/**
 * What a polling procedure's answer is a pure function of, as a string: the
 * versions of the cached records it reads (`cache.versionOf`) and anything else
 * it puts in the body (`poll_interval_ms`, the caller's view). Null when the
 * answer needs the procedure itself (it may write, or read the database).
 * Declared next to the procedure (`meta.pollState`); it gets the context, the
 * scope the guard resolved (what the resolver gets as `ctx`) and the raw input
 * (as the adapter parsed it, not yet validated).
 */
export type PollState = (ctx: Context, scope: Scope, rawInput: Record<string, unknown>) => string | null | Promise<string | null>;

type PolledMeta = GuardedMeta & { pollState?: PollState };

/** A conditional poll after its guard (see `checkPoll`). A class: polls are the hot path, no closures per request. */
export class PollCheck {
  constructor(
    /** The context to make the call with, should it be made: it carries the guard's decision. */
    readonly ctx: Context,
    /** What the answer is a function of; null when the guard refused or the answer needs the procedure. */
    readonly state: string | null,
    private readonly scope: Scope | null,
    private readonly input: Record<string, unknown> | null,
    private readonly pollState: PollState | undefined,
  ) {}

  /** The state again, after the call: the answer was computed from `state` only if this equals it. */
  async again(): Promise<string | null> {
    return stateOf(this.pollState, this.ctx, this.scope, this.input);
  }
}

/** Not async: most states are read from records in hand, and each promise of a poll's path costs (async hooks). */
function stateOf(
  pollState: PollState | undefined,
  ctx: Context,
  scope: Scope | null,
  input: Record<string, unknown> | null,
): string | null | Promise<string | null> {
  if (!pollState || !scope || !input) return null;
  try {
    const state = pollState(ctx, scope, input);
    return typeof state === "string" || state === null ? state : state.catch(unknownState);
  } catch {
    return unknownState();
  }
}

// The call will answer whatever went wrong here, in its own way.
const unknownState = () => null;

/**
 * A conditional poll, before its procedure runs: the guard decides (exactly as
 * for the call: token, role, limit, scope), then the procedure's `pollState`
 * names what its answer would be computed from. An HTTP adapter that kept the
 * ETag of an answer to the same request in that state answers 304 without the
 * resolver, output validation and serialisation; otherwise it makes the call
 * with `check.ctx`, whose guard takes the decision made here instead of deciding
 * again (one rate-limit count); a refusal is handed over the same way, so the
 * call answers it as it always does. `ctx` must be this call's alone.
 */
export function checkPoll(ctx: Context, meta: PolledMeta | undefined, rawInput: unknown): MaybePromise<PollCheck> {
  let scope: MaybePromise<Scope>;
  try {
    scope = authorize({ ctx, meta, type: "query", rawInput });
  } catch (refusal) {
    return refused(ctx, meta, refusal);
  }
  return scope instanceof Promise
    ? scope.then(
        (decided) => admitted(ctx, meta, rawInput, decided),
        (refusal: unknown) => refused(ctx, meta, refusal),
      )
    : admitted(ctx, meta, rawInput, scope);
}

function admitted(ctx: Context, meta: PolledMeta | undefined, rawInput: unknown, scope: Scope): MaybePromise<PollCheck> {
  handDecision(ctx, { meta, scope });
  const input = rawInput !== null && typeof rawInput === "object" ? (rawInput as Record<string, unknown>) : null;
  return andThen(
    stateOf(meta?.pollState, ctx, scope, input),
    (state) => new PollCheck(ctx, state, scope, input, meta?.pollState),
  );
}

function refused(ctx: Context, meta: PolledMeta | undefined, refusal: unknown): PollCheck {
  return new PollCheck(handDecision(ctx, { meta, refusal }), null, null, null, undefined);
}
