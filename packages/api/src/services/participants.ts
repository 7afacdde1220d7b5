import { asc, count, eq, isUniqueViolation, participants, queryRows, sessions, sql, type ParticipantRow } from "@caja/db";
import { CajaError } from "../errors";
import type { LifecycleStatus } from "../schemas/common";
import { cacheKeys } from "./cache-keys";
import type { ServiceDeps } from "./deps";

interface JoinedRow {
  id: number;
  session_id: number;
  nickname: string;
  joined_at: Date | string;
  last_seen_at: Date | string;
  title: string;
  status: LifecycleStatus;
}

export interface JoinResult {
  participant: ParticipantRow;
  session: { id: number; title: string; status: LifecycleStatus };
}

/**
 * Joins by code while the session is in its lobby (draft) or active. The
 * conditional increment of `participant_count` is what enforces the cap
 * exactly when many join at once; a taken nickname fails the statement and so
 * rolls it back. One statement: the session row stays locked for one round
 * trip, not four, which is what bounds how fast a room can fill.
 */
export async function joinSession(deps: ServiceDeps, joinCode: string, nickname: string): Promise<JoinResult> {
  let rows: JoinedRow[];
  try {
    rows = await queryRows<JoinedRow>(
      deps.db,
      sql`with seat as (
            update sessions
               set participant_count = participant_count + 1, updated_at = now()
             where join_code = ${joinCode} and status in ('draft', 'active') and participant_count < max_participants
            returning id, title, status
          ), joined as (
            insert into participants (session_id, nickname) select id, ${nickname} from seat
            returning id, session_id, nickname, joined_at, last_seen_at
          )
          select joined.*, seat.title, seat.status from joined join seat on seat.id = joined.session_id`,
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CajaError("NICKNAME_TAKEN", "That nickname is already taken in this session", {
        field: "nickname",
        reason: "taken",
      });
    }
    throw error;
  }
  const row = rows[0];
  const result: JoinResult | null = row
    ? {
        participant: {
          id: Number(row.id),
          sessionId: Number(row.session_id),
          nickname: row.nickname,
          joinedAt: new Date(row.joined_at),
          lastSeenAt: new Date(row.last_seen_at),
        },
        session: { id: Number(row.session_id), title: row.title, status: row.status },
      }
    : null;
  if (result) {
    await deps.cache.invalidate([cacheKeys.sessionStatus(result.session.id)]);
    return result;
  }
  const [session] = await deps.db
    .select({ status: sessions.status, max: sessions.maxParticipants })
    .from(sessions)
    .where(eq(sessions.joinCode, joinCode));
  if (!session) {
    throw new CajaError("NOT_FOUND", "No session has this join code", { field: "join_code", reason: "unknown" });
  }
  if (session.status === "completed") {
    throw new CajaError("SESSION_CLOSED", "This session has ended", { field: "join_code", reason: "completed" });
  }
  throw new CajaError("SESSION_FULL", "This session is full", { max_participants: session.max });
}

export async function listParticipants({ db }: ServiceDeps, sessionId: number, limit: number, offset: number) {
  const where = eq(participants.sessionId, sessionId);
  const [rows, [total]] = await Promise.all([
    db.select().from(participants).where(where).orderBy(asc(participants.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(participants).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
