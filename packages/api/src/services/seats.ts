import { and, eq, isNull, participants, sessions, type Database, type ParticipantId } from "@caja/db";
import type { ParticipantClaims } from "../auth/tokens";
import { CajaError, notFound } from "../errors";

const removed = (participantId: ParticipantId) =>
  new CajaError("PARTICIPANT_REMOVED", "You are no longer a participant of this session; join again", {
    participant_id: participantId,
  });

/**
 * Whether a participant token still holds its seat: the row it names exists, is
 * not removed, and carries the token's `tid`. Every participant call asks, and
 * polls are the hot path, so a confirmed seat is remembered here for `ttlMs`:
 * reads on another instance may outlive a removal by that long, never writes,
 * which always ask the database (one primary-key read). The instance that
 * removes a participant forgets it at once.
 */
export class SeatCheck {
  private readonly confirmed = new Map<number, { tokenId: string; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 100_000,
  ) {}

  async assertSeated(claims: ParticipantClaims, write: boolean, now = Date.now()): Promise<void> {
    const id = claims.participant_id;
    const hit = this.confirmed.get(id);
    if (!write && hit && hit.tokenId === claims.tid && now - hit.at < this.ttlMs) return;
    const [row] = await this.db
      .select({ tokenId: participants.tokenId, sessionId: participants.sessionId })
      .from(participants)
      .where(and(eq(participants.id, id), isNull(participants.removedAt)));
    if (!row || row.tokenId !== claims.tid || row.sessionId !== claims.session_id) {
      this.confirmed.delete(id);
      // A deleted session takes its participants with it: that is a session gone, not a seat lost.
      if (!row && !(await this.sessionExists(claims.session_id))) throw notFound("Session", claims.session_id);
      throw removed(id);
    }
    // Insertion order is age order: dropping the first entry drops the oldest.
    this.confirmed.delete(id);
    if (this.confirmed.size >= this.maxEntries) {
      const oldest = this.confirmed.keys().next();
      if (!oldest.done) this.confirmed.delete(oldest.value);
    }
    this.confirmed.set(id, { tokenId: row.tokenId, at: now });
  }

  private async sessionExists(sessionId: number): Promise<boolean> {
    const [row] = await this.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, sessionId));
    return row !== undefined;
  }

  forget(participantId: ParticipantId): void {
    this.confirmed.delete(participantId);
  }
}
