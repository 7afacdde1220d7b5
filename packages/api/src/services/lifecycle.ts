import { CajaError } from "../errors";
import type { LifecycleStatus } from "@caja/db";
import type { ServiceDeps } from "./deps";

/** Sessions and activities share one lifecycle: draft -> active -> completed. */
const nextStatus: Record<LifecycleStatus, LifecycleStatus | null> = {
  draft: "active",
  active: "completed",
  completed: null,
};

export function assertTransition(what: string, from: LifecycleStatus, to: LifecycleStatus): void {
  if (nextStatus[from] === to) return;
  const next = nextStatus[from];
  throw new CajaError("INVALID_TRANSITION", `${what} cannot go from ${from} to ${to}`, {
    field: "status",
    from,
    to,
    allowed: next ? [next] : [],
  });
}

/**
 * Invalidates after a lifecycle write: a session's or activity's status, the current activity, an
 * activity's config or reveal, a deletion, a moderation decision. Unlike a count, which may lag
 * while answers stream in (the cache's burst rule), such a change is shown by the next read on
 * this instance: a client refetches right after its mutation, and an older answer would flip its
 * screen back for a whole poll interval (or show a participant results just hidden).
 */
export function invalidateLifecycle(deps: Pick<ServiceDeps, "cache">, keys: string[]): Promise<void> {
  return deps.cache.invalidate(keys, "immediate");
}
