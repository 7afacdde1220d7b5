import {
  and,
  asc,
  count,
  eq,
  getTableColumns,
  isNull,
  isUniqueViolation,
  nicknameKeys,
  participants,
  queryRows,
  sessions,
  sql,
  type ParticipantRow,
} from "@caja/db";
import { CajaError, notFound } from "../errors";
import type { LifecycleStatus, ParticipantId, SessionId } from "@caja/db";
import { cacheKeys } from "./cache-keys";
import type { ServiceDeps } from "./deps";
import { paginate, type PageQuery } from "./paginate";
import { ACTIVE_WINDOW_SECONDS } from "./presence";

interface JoinedRow {
  id: number;
  session_id: SessionId;
  nickname: string;
  joined_at: Date | string;
  last_seen_at: Date | string;
  token_id: string;
  title: string;
  status: LifecycleStatus;
}

export interface JoinResult {
  participant: ParticipantRow;
  session: { id: number; title: string; status: LifecycleStatus };
}

/**
 * Joins by code while the session is in its lobby (draft) or active. The
 * conditional increment of `seats_taken` is what enforces the cap exactly when
 * many join at once (a seat that has answered stays taken after its participant
 * leaves: see `removeParticipant`); a taken nickname fails the statement and so
 * rolls it back. One statement: the session row stays locked for one round
 * trip, not four, which is what bounds how fast a room can fill.
 */
export async function joinSession(deps: ServiceDeps, joinCode: string, nickname: string): Promise<JoinResult> {
  // Look-alikes are refused by the keys' unique indexes, in this very statement: no check-then-insert race.
  const keys = nicknameKeys(nickname);
  let rows: JoinedRow[];
  try {
    rows = await queryRows<JoinedRow>(
      deps.db,
      sql`with seat as (
            update sessions
               set participant_count = participant_count + 1, seats_taken = seats_taken + 1, updated_at = now()
             where join_code = ${joinCode} and status in ('draft', 'active') and not joins_locked
               and seats_taken < max_participants
            returning id, title, status
          ), joined as (
            insert into participants (session_id, nickname, nickname_skeleton, nickname_skeleton_lower, nickname_skeleton_upper)
            select id, ${nickname}, ${keys.shown}, ${keys.lower}, ${keys.upper} from seat
            returning id, session_id, nickname, joined_at, last_seen_at, token_id
          )
          select joined.*, seat.title, seat.status from joined join seat on seat.id = joined.session_id`,
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CajaError("NICKNAME_TAKEN", "That nickname, or one that looks like it, is already taken in this session", {
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
          tokenId: row.token_id,
          removedAt: null,
          answered: false,
          nicknameSkeleton: keys.shown,
          nicknameSkeletonLower: keys.lower,
          nicknameSkeletonUpper: keys.upper,
        },
        session: { id: Number(row.session_id), title: row.title, status: row.status },
      }
    : null;
  if (result) {
    // The seat it took may have filled the room: the preview's accepts_joins.
    await deps.cache.invalidate([cacheKeys.sessionStatus(result.session.id), cacheKeys.joinPreview(joinCode)]);
    return result;
  }
  const [session] = await deps.db
    .select({ status: sessions.status, max: sessions.maxParticipants, locked: sessions.joinsLocked })
    .from(sessions)
    .where(eq(sessions.joinCode, joinCode));
  if (!session) {
    throw new CajaError("NOT_FOUND", "No session has this join code", { field: "join_code", reason: "unknown" });
  }
  if (session.status === "completed") {
    throw new CajaError("SESSION_CLOSED", "This session has ended", { field: "join_code", reason: "completed" });
  }
  if (session.locked) {
    throw new CajaError("JOINS_LOCKED", "The host has closed this session to new participants", {
      field: "join_code",
      reason: "locked",
    });
  }
  throw new CajaError("SESSION_FULL", "This session is full", { max_participants: session.max });
}

/** A participant row with whether its own requests arrived within the presence window. */
export type ParticipantWithPresence = ParticipantRow & { online: boolean };

/** A session's participants in joining order, each with `online` from presence. */
export async function listParticipants({ db }: ServiceDeps, sessionId: SessionId, page: PageQuery) {
  const where = and(eq(participants.sessionId, sessionId), isNull(participants.removedAt));
  const online = sql<boolean>`${participants.lastSeenAt} > now() - make_interval(secs => ${ACTIVE_WINDOW_SECONDS})`;
  return paginate<ParticipantWithPresence>(
    page,
    ({ limit, offset }) =>
      db
        .select({ ...getTableColumns(participants), online })
        .from(participants)
        .where(where)
        .orderBy(asc(participants.id))
        .limit(limit)
        .offset(offset),
    () => db.select({ n: count() }).from(participants).where(where),
  );
}

/**
 * Kick or leave: the participant's token stops working and its nickname is free again;
 * its answers stay. Its seat is free again only if it never answered: `max_participants`
 * bounds the participants whose answers count, so join -> answer -> leave rounds cannot
 * stuff a room. One statement, so `participant_count` and `seats_taken` move exactly once
 * however many removals of one participant race, and `answered` is read from the row this
 * statement locks: a first answer racing the removal either committed before it (its mark
 * is seen: the seat stays taken) or is refused by its own statement's mark (see submit.ts).
 * `seats_revision` moves with `removed_at`: the seat check on every instance trusts a seat
 * it confirmed only while the session's revision has not moved past it.
 */
export async function removeParticipant(deps: ServiceDeps, sessionId: SessionId, participantId: ParticipantId): Promise<void> {
  const rows = await queryRows<{ id: number; join_code: string }>(
    deps.db,
    sql`with gone as (
          update participants set removed_at = now()
           where id = ${participantId} and session_id = ${sessionId} and removed_at is null
          returning session_id, answered
        )
        update sessions
           set participant_count = participant_count - 1,
               seats_taken = seats_taken - case when gone.answered then 0 else 1 end,
               seats_revision = seats_revision + 1, updated_at = now()
          from gone
         where sessions.id = gone.session_id
        returning sessions.id, sessions.join_code`,
  );
  const [row] = rows;
  if (!row) throw notFound("Participant", participantId);
  await deps.cache.invalidate([cacheKeys.sessionStatus(sessionId), cacheKeys.joinPreview(row.join_code)]);
}
