import { inArray, participants, sql, type Database, type ParticipantId } from "@caja/db";

/** Participants seen within this window count as active. */
export const ACTIVE_WINDOW_SECONDS = 30;

/**
 * Polling doubles as heartbeat. Writing `last_seen_at` on every poll would turn
 * every read into a write, so touches are remembered here and flushed in one
 * UPDATE per interval; a participant is written at most once per `minGapMs`.
 */
export class Presence {
  private readonly pending = new Set<number>();
  private readonly lastWritten = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    flushEveryMs = 2_000,
    private readonly minGapMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  touch(participantId: ParticipantId, now = Date.now()): void {
    const last = this.lastWritten.get(participantId);
    if (last !== undefined && now - last < this.minGapMs) return;
    this.lastWritten.set(participantId, now);
    this.pending.add(participantId);
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending.clear();
    this.flushing = this.db
      .update(participants)
      .set({ lastSeenAt: sql`now()` })
      .where(inArray(participants.id, ids))
      .then(() => undefined)
      .catch(() => {
        // Presence is best effort: a failed flush is retried with the next touches.
        for (const id of ids) this.lastWritten.delete(id);
      })
      .finally(() => {
        this.flushing = null;
      });
    if (this.lastWritten.size > 200_000) this.lastWritten.clear();
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
