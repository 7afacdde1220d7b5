import { and, eq, isNull, participants, sessions, type ParticipantId } from "@caja/db";
import type { ParticipantClaims } from "../auth/tokens";
import { notFound, participantRemoved } from "../errors";
import { andThen, type MaybePromise } from "../maybe-sync";
import { RemovedSeats } from "./removed-seats";
import { cachedSessionStatus, type StatusReadDeps } from "./status";

export interface SeatCheckOptions {
  /**
   * A confirmed seat is asked again after this long (jittered down to half, so a room that
   * joined together does not re-ask together) even if its session's revision never moved.
   * Not needed for kicks and leaves, which move the revision; it bounds what the revision
   * cannot see: a removal written outside `removeParticipant` (an operator's SQL, an instance
   * of an older version during a rolling deploy, a restored backup whose revision went back).
   */
  safetyTtlMs?: number;
  /** Confirmed seats kept (least recently used dropped first). */
  maxEntries?: number;
  /** Sessions whose removed participants are kept (oldest read dropped first). */
  maxSessions?: number;
}

interface Confirmed {
  tokenId: string;
  sessionId: number;
  /** The session's `seats_revision` under which the seat was last known held. */
  revision: number;
  until: number;
}

/**
 * Whether a participant token still holds its seat: the row it names exists, is
 * not removed, and carries the token's `tid`. Every participant call asks, and
 * polls are the hot path.
 *
 * A write always asks the database (one primary-key read). A read trusts a seat
 * the database confirmed while the session's `seats_revision` in the session
 * status record (the polling cache's, which the guard reads anyway) has not moved
 * past the revision it was confirmed under: no query in the steady state. Every
 * removal moves the revision in its own statement, so a kick or leave reaches
 * reads on every instance within the cache's staleness bound (local + shared TTL).
 * When the revision moved, the session's removed participants are read once per
 * session per revision (`RemovedSeats`), not once per participant. A missing
 * session record (deleted) goes to the database, which answers 404. The instance
 * that removes a participant forgets it at once.
 */
export class SeatCheck {
  private readonly confirmed = new Map<ParticipantId, Confirmed>();
  private readonly removedSeats: RemovedSeats;
  private readonly safetyTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly deps: StatusReadDeps,
    options: SeatCheckOptions = {},
  ) {
    this.safetyTtlMs = options.safetyTtlMs ?? 10 * 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.removedSeats = new RemovedSeats(options.maxSessions);
  }

  /**
   * Resolves (or returns at once, for a read whose seat is known held) when the seat is held;
   * throws 401 or 404 otherwise. `deps`: the asking request's, whose database carries its deadline.
   */
  assertSeated(
    claims: ParticipantClaims,
    write: boolean,
    now = Date.now(),
    deps: StatusReadDeps = this.deps,
  ): MaybePromise<void> {
    if (write) return this.confirm(claims, now, deps);
    return andThen(this.stillHeld(claims, now, deps), (held) => (held ? undefined : this.confirm(claims, now, deps)));
  }

  forget(participantId: ParticipantId): void {
    this.confirmed.delete(participantId);
  }

  /** True when a confirmed seat is known still held without asking the database about this participant. */
  private stillHeld(claims: ParticipantClaims, now: number, deps: StatusReadDeps): MaybePromise<boolean> {
    const seat = this.confirmed.get(claims.participant_id);
    if (!seat || seat.tokenId !== claims.tid || seat.sessionId !== claims.session_id || now >= seat.until) return false;
    return andThen(cachedSessionStatus(deps, claims.session_id), (session) => {
      // Deleted (or not yet in this cache): the database tells which, 404 or 401.
      if (!session) return false;
      if (session.seatsRevision > seat.revision) {
        return this.heldAfterRemovals(claims.participant_id, seat, session.seatsRevision, deps);
      }
      this.remember(claims.participant_id, seat);
      return true;
    });
  }

  /** The session's seats moved since this one was confirmed: held unless it is among the removed. */
  private async heldAfterRemovals(id: ParticipantId, seat: Confirmed, revision: number, deps: StatusReadDeps): Promise<boolean> {
    const gone = await this.removedSeats.atLeast(seat.sessionId, revision, deps.db);
    if (!gone) return false;
    if (gone.ids.has(id)) {
      this.confirmed.delete(id);
      throw participantRemoved(id);
    }
    seat.revision = gone.revision;
    this.remember(id, seat);
    return true;
  }

  /** One primary-key read (joined to its session's key for the revision, one snapshot). */
  private async confirm(claims: ParticipantClaims, now: number, deps: StatusReadDeps): Promise<void> {
    const id = claims.participant_id;
    const [row] = await deps.db
      .select({ tokenId: participants.tokenId, sessionId: participants.sessionId, revision: sessions.seatsRevision })
      .from(participants)
      .innerJoin(sessions, eq(sessions.id, participants.sessionId))
      .where(and(eq(participants.id, id), isNull(participants.removedAt)));
    if (!row || row.tokenId !== claims.tid || row.sessionId !== claims.session_id) {
      this.confirmed.delete(id);
      // A deleted session takes its participants with it: that is a session gone, not a seat lost.
      if (!row && !(await sessionExists(deps, claims.session_id))) throw notFound("Session", claims.session_id);
      throw participantRemoved(id);
    }
    const until = now + this.safetyTtlMs * (0.5 + Math.random() / 2);
    this.remember(id, { tokenId: row.tokenId, sessionId: row.sessionId, revision: row.revision, until });
  }

  /** Insertion order is use order: dropping the first entry drops the least recently used. */
  private remember(id: ParticipantId, seat: Confirmed): void {
    this.confirmed.delete(id);
    if (this.confirmed.size >= this.maxEntries) {
      const oldest = this.confirmed.keys().next();
      if (!oldest.done) this.confirmed.delete(oldest.value);
    }
    this.confirmed.set(id, seat);
  }
}

async function sessionExists({ db }: StatusReadDeps, sessionId: number): Promise<boolean> {
  const [row] = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, sessionId));
  return row !== undefined;
}
