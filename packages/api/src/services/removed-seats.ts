import { queryRows, sql, type Database, type ParticipantId, type SessionId } from "@caja/db";

/** Who of one session had been removed when its `seats_revision` read `revision` (one snapshot). */
export interface RemovedAsOf {
  revision: number;
  ids: ReadonlySet<ParticipantId>;
}

/**
 * Per session, the participants removed as of the newest revision this instance read. When a
 * kick moves a session's revision, every confirmed seat of that session needs re-checking:
 * one query per session per revision per instance, shared by every check waiting on it, instead
 * of one per participant (a kick in a 10,000 room is not 10,000 reads).
 */
export class RemovedSeats {
  private readonly bySession = new Map<SessionId, Promise<RemovedAsOf | null>>();

  constructor(private readonly maxSessions = 10_000) {}

  /**
   * Removed ids as of `revision` or later; null when the session is gone. A failed read fails its
   * waiters. `db`: the asking request's (its deadline); a read it starts is shared with later askers.
   */
  async atLeast(sessionId: SessionId, revision: number, db: Database): Promise<RemovedAsOf | null> {
    let flight = this.bySession.get(sessionId);
    while (flight) {
      const seen = await flight;
      if (seen === null || seen.revision >= revision) return seen;
      const newer = this.bySession.get(sessionId);
      // Nobody has started a newer read since this one: the first to notice does.
      if (newer === flight) break;
      flight = newer;
    }
    return this.load(sessionId, db);
  }

  private load(sessionId: SessionId, db: Database): Promise<RemovedAsOf | null> {
    const flight = readRemoved(db, sessionId);
    // Insertion order is age order: dropping the first entry drops the oldest.
    this.bySession.delete(sessionId);
    if (this.bySession.size >= this.maxSessions) {
      const oldest = this.bySession.keys().next();
      if (!oldest.done) this.bySession.delete(oldest.value);
    }
    this.bySession.set(sessionId, flight);
    const drop = () => {
      if (this.bySession.get(sessionId) === flight) this.bySession.delete(sessionId);
    };
    flight.then((seen) => seen === null && drop(), drop);
    return flight;
  }
}

/**
 * The revision and the removed ids in one statement, so one snapshot: a removal sets
 * `removed_at` and moves the revision together, so the ids are exactly those of revisions up to it.
 */
async function readRemoved(db: Database, sessionId: SessionId): Promise<RemovedAsOf | null> {
  const [row] = await queryRows<{ seats_revision: number; removed: (number | string)[] }>(
    db,
    sql`select s.seats_revision,
               array(select p.id from participants p where p.session_id = s.id and p.removed_at is not null) as removed
          from sessions s where s.id = ${sessionId}`,
  );
  if (!row) return null;
  return { revision: Number(row.seats_revision), ids: new Set(row.removed.map(Number)) };
}
