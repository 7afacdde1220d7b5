import { queryRows, sql } from "@caja/db";
import type { ActivityId, LifecycleStatus, SessionId } from "@caja/db";
import { cacheKeys } from "./cache-keys";
import type { MaybePromise } from "../maybe-sync";
import { cachedReadNow, type ServiceDeps } from "./deps";
import { moderatableTypes, participantCountsSql } from "./participant-view";
import { ACTIVE_WINDOW_SECONDS } from "./presence";

/** What the cache holds for a session: plain JSON, so it can live in Redis. */
export interface SessionStatusRecord {
  id: number;
  createdBy: string;
  status: LifecycleStatus;
  currentActivityId: string | null;
  participantCount: number;
  activeParticipantCount: number;
  lastUpdated: string;
  /** `sessions.seats_revision`: moves when a seat ends; the seat check reads it (never on the wire). */
  seatsRevision: number;
}

export interface ActivityStatusRecord {
  id: string;
  sessionId: SessionId;
  createdBy: string;
  status: LifecycleStatus;
  responseCount: number;
  lastResponseAt: string | null;
  lastUpdated: string;
  /** Types with a time limit: answers stop at this instant (ISO), and the activity completes itself. */
  endsAt: string | null;
  /** A moderated activity's counts and times as participants see them (participant-view.ts, rule 5); absent: the same. */
  participants?: ParticipantCounts;
}

export interface ParticipantCounts {
  responseCount: number;
  lastResponseAt: string | null;
  lastUpdated: string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** What reading a status through the cache needs: less than `ServiceDeps`, so the seat check can own one. */
export type StatusReadDeps = Pick<ServiceDeps, "db" | "cache" | "inTransaction">;

/** One primary-key read plus an index range count of recently seen participants. */
async function loadSessionStatus({ db }: StatusReadDeps, sessionId: SessionId): Promise<SessionStatusRecord | null> {
  const [row] = await queryRows<{
    id: number;
    created_by: string;
    status: LifecycleStatus;
    current_activity_id: string | null;
    participant_count: number;
    seats_revision: number;
    updated_at: Date | string;
    active: number | string;
  }>(
    db,
    sql`select s.id, s.created_by, s.status, s.current_activity_id, s.participant_count, s.seats_revision, s.updated_at,
               (select count(*) from participants p
                 where p.session_id = s.id and p.removed_at is null
                   and p.last_seen_at > now() - make_interval(secs => ${ACTIVE_WINDOW_SECONDS})) as active
          from sessions s where s.id = ${sessionId}`,
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    createdBy: row.created_by,
    status: row.status,
    currentActivityId: row.current_activity_id,
    participantCount: Number(row.participant_count),
    activeParticipantCount: Number(row.active),
    lastUpdated: iso(row.updated_at),
    seatsRevision: Number(row.seats_revision),
  };
}

/**
 * The activity row plus its (at most COUNTER_SHARDS) counter rows: never a count(*) over responses.
 * A moderated activity (its config read only for types that can be) has a second statement for
 * what participants see: it reads the activity's rows, as many as a moderator can go through.
 */
async function loadActivityStatus(deps: ServiceDeps, activityId: ActivityId): Promise<ActivityStatusRecord | null> {
  // Type names are [a-z0-9_] (typeNamePattern): a comma-separated list is unambiguous.
  const moderatable = moderatableTypes(deps.activityTypes).join(",");
  const [row] = await queryRows<{
    id: string;
    session_id: SessionId;
    created_by: string;
    status: LifecycleStatus;
    updated_at: Date | string;
    ends_at: Date | string | null;
    response_count: number | string;
    last_response_at: Date | string | null;
    type: string;
    config: unknown;
  }>(
    deps.db,
    sql`select a.id, a.session_id, s.created_by, a.status, a.updated_at, a.ends_at,
               coalesce(c.response_count, 0) as response_count, c.last_response_at, a.type,
               case when a.type = any(string_to_array(${moderatable}::text, ',')) then a.config end as config
          from activities a
          join sessions s on s.id = a.session_id
          cross join lateral (select sum(response_count) as response_count, max(last_response_at) as last_response_at
                                from activity_response_counters where activity_id = a.id) c
         where a.id = ${activityId}`,
  );
  if (!row) return null;
  const updated = new Date(row.updated_at);
  const lastResponse = row.last_response_at === null ? null : new Date(row.last_response_at);
  return {
    id: row.id,
    sessionId: Number(row.session_id),
    createdBy: row.created_by,
    status: row.status,
    responseCount: Number(row.response_count),
    lastResponseAt: lastResponse ? lastResponse.toISOString() : null,
    // The status changes when a response arrives as much as when the activity does.
    lastUpdated: (lastResponse && lastResponse > updated ? lastResponse : updated).toISOString(),
    endsAt: row.ends_at === null ? null : iso(row.ends_at),
    ...(deps.activityTypes.isModerated(row.type, row.config)
      ? { participants: await loadParticipantCounts(deps, activityId, updated) }
      : {}),
  };
}

async function loadParticipantCounts(
  deps: ServiceDeps,
  activityId: ActivityId,
  activityUpdated: Date,
): Promise<ParticipantCounts> {
  const [row] = await queryRows<{
    response_count: number | string;
    last_response_at: Date | string | null;
    last_change: Date | string | null;
  }>(deps.db, participantCountsSql(activityId));
  const lastChange = row?.last_change == null ? null : new Date(row.last_change);
  return {
    responseCount: Number(row?.response_count ?? 0),
    lastResponseAt: row?.last_response_at == null ? null : iso(row.last_response_at),
    lastUpdated: (lastChange && lastChange > activityUpdated ? lastChange : activityUpdated).toISOString(),
  };
}

/**
 * The session's status record, from the polling cache (the guard reads it to authorise, polls to
 * answer): the record itself when this instance holds it fresh, else a promise.
 */
export function cachedSessionStatus(deps: StatusReadDeps, sessionId: SessionId): MaybePromise<SessionStatusRecord | null> {
  return cachedReadNow(deps, cacheKeys.sessionStatus(sessionId), (d) => loadSessionStatus(d, sessionId));
}

/** The activity's status record, from the polling cache; it names the session and its owner. Like `cachedSessionStatus`. */
export function cachedActivityStatus(deps: ServiceDeps, activityId: ActivityId): MaybePromise<ActivityStatusRecord | null> {
  return cachedReadNow(deps, cacheKeys.activityStatus(activityId), (d) => loadActivityStatus(d, activityId));
}
