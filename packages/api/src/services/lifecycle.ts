import { CajaError } from "../errors";
import type { LifecycleStatus } from "@caja/db";

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
