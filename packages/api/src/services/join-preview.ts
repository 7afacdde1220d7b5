import { nicknameKeys, queryRows, sql, type LifecycleStatus } from "@caja/db";
import { CajaError } from "../errors";
import { cacheKeys } from "./cache-keys";
import { cachedRead, type ServiceDeps } from "./deps";

export interface JoinPreviewRecord {
  title: string;
  status: LifecycleStatus;
  acceptsJoins: boolean;
}

/** The same answer as a join to an unknown code: a preview tells no more about which codes exist. */
export const unknownJoinCode = () =>
  new CajaError("NOT_FOUND", "No session has this join code", { field: "join_code", reason: "unknown" });

/** `acceptsJoins` is the join statement's own condition (services/participants.ts), read without taking a seat. */
async function loadJoinPreview({ db }: ServiceDeps, joinCode: string): Promise<JoinPreviewRecord | null> {
  const [row] = await queryRows<{ title: string; status: LifecycleStatus; accepts_joins: boolean }>(
    db,
    sql`select title, status,
               status in ('draft', 'active') and not joins_locked and seats_taken < max_participants as accepts_joins
          from sessions where join_code = ${joinCode}`,
  );
  return row ? { title: row.title, status: row.status, acceptsJoins: row.accepts_joins } : null;
}

/**
 * From the polling cache: a room's worth of phones opening the join link at once
 * costs one query. Unknown codes are cached too (as null), so guessing codes costs
 * the database no more than the address's rate limit lets through.
 */
export async function cachedJoinPreview(deps: ServiceDeps, joinCode: string): Promise<JoinPreviewRecord> {
  const preview = await cachedRead(deps, cacheKeys.joinPreview(joinCode), (d) => loadJoinPreview(d, joinCode));
  if (!preview) throw unknownJoinCode();
  return preview;
}

/**
 * Whether a join with this (normalised) nickname would find it free: the unique indexes' own
 * condition (same session, a look-alike by any of `nicknameKeys`, not removed), so a kicked or
 * departed participant's nickname and its look-alikes are free, as they are for join.
 */
export async function isNicknameAvailable({ db }: ServiceDeps, joinCode: string, nickname: string): Promise<boolean> {
  const keys = nicknameKeys(nickname);
  const [row] = await queryRows<{ taken: boolean }>(
    db,
    sql`select exists (select 1 from participants p
                        where p.session_id = s.id and p.removed_at is null
                          and (p.nickname_skeleton = ${keys.shown} or p.nickname_skeleton_lower = ${keys.lower}
                               or p.nickname_skeleton_upper = ${keys.upper})) as taken
          from sessions s where s.join_code = ${joinCode}`,
  );
  if (!row) throw unknownJoinCode();
  return !row.taken;
}
