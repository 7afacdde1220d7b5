import type { Claims } from "../auth/tokens";
import { CajaError } from "../errors";

interface OwnedSession {
  id: number;
  createdBy: string;
}

/** Only the admin who created a session manages it. */
export function assertOwner(claims: Claims, session: OwnedSession): void {
  if (claims.role !== "admin" || claims.sub !== session.createdBy) {
    throw new CajaError("FORBIDDEN", "You do not manage this session", { session_id: session.id });
  }
}

/** The owner, or a participant of this very session. */
export function assertMember(claims: Claims, session: OwnedSession): void {
  if (claims.role === "participant") {
    if (claims.session_id !== session.id) {
      throw new CajaError("FORBIDDEN", "You are not a participant of this session", { session_id: session.id });
    }
    return;
  }
  assertOwner(claims, session);
}
