import { queryRows, sql, type UserResponseRow, type ActivityId, type ParticipantId, type SessionId } from "@caja/db";
import { validationError } from "../errors";
import { cacheKeys } from "./cache-keys";
import { fromSqlRow, type UserResponseSqlRow } from "./response-rows";
import { cachedRead, type ServiceDeps } from "./deps";
import { feedScope, visibleTo } from "./response-visibility";

/**
 * The incremental response feed.
 *
 * Order: by the id of the transaction that last wrote the row (`txid`, xid8),
 * then by row id. Reads only see rows whose txid is below the snapshot's xmin,
 * the oldest transaction still running: every transaction below it has ended,
 * and every later write gets a larger txid, so the set of rows below xmin can
 * no longer change except by moving a row (an edit) past the cursor. A cursor
 * `(txid, id)` therefore never skips a late-committing writer (gap-free) and
 * never returns the same version twice (duplicate-free), without serialising
 * writers. A timestamp or a sequence alone fails exactly there: a transaction
 * that took its value early can commit after a poller has moved past it.
 * The cost: a row shows up once all transactions older than it have ended,
 * so a long-running transaction delays the feed (never loses from it).
 *
 * Moderation, votes and deletion rewrite the row (new txid), so they reach
 * followers like edits. A row the caller may not see (deleted, or another
 * participant's entry that is pending or rejected) is sent as a tombstone,
 * which tells a follower to drop the id: see response-visibility.ts.
 */

export interface FeedPosition {
  txid: bigint;
  id: string;
}

interface Cursor extends FeedPosition {
  sinceMs: number;
}

const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** xid8 is an unsigned 64-bit integer: a larger cursor position is an error in PostgreSQL, not an empty page. */
const MAX_XID8 = 2n ** 64n - 1n;

/**
 * The years 0001 to 9999: what both Date (toISOString) and PostgreSQL's timestamptz
 * read back as the same instant (PostgreSQL has no year 0, and a six-digit ISO year
 * is no timestamp a client sent). Outside it a `since` is refused, never a 500.
 */
const MIN_SINCE_MS = -62135596800000; // 0001-01-01T00:00:00.000Z
const MAX_SINCE_MS = 253402300799999; // 9999-12-31T23:59:59.999Z
const inSinceRange = (ms: number) => ms >= MIN_SINCE_MS && ms <= MAX_SINCE_MS;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`1:${c.txid}:${c.id}:${c.sinceMs}`, "utf8").toString("base64url");
}

export function decodeCursor(text: string): Cursor {
  const invalid = () => validationError("cursor", "not a cursor returned by this feed");
  if (text.length > 200) throw invalid();
  const parts = Buffer.from(text, "base64url").toString("utf8").split(":");
  if (parts.length !== 4 || parts[0] !== "1") throw invalid();
  const [, txid, id, since] = parts as [string, string, string, string];
  if (!/^\d{1,20}$/.test(txid) || !UUID_RE.test(id) || !/^-?\d{1,16}$/.test(since)) throw invalid();
  const cursor = { txid: BigInt(txid), id, sinceMs: Number(since) };
  if (cursor.txid > MAX_XID8 || !inSinceRange(cursor.sinceMs)) throw invalid();
  return cursor;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO-8601 (a missing offset means UTC) or epoch milliseconds. */
export function parseSinceTimestamp(text: string): number {
  const trimmed = text.trim();
  let ms = Number.NaN;
  if (/^\d{1,15}$/.test(trimmed)) ms = Number(trimmed);
  else if (ISO_RE.test(trimmed)) {
    const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && trimmed.length > 10;
    ms = Date.parse(hasOffset || trimmed.length === 10 ? trimmed : `${trimmed}Z`);
  }
  if (!Number.isFinite(ms)) {
    throw validationError("timestamp", "must be an ISO-8601 timestamp such as 2025-10-07T19:00:00.000Z");
  }
  if (!inSinceRange(ms)) throw validationError("timestamp", "must lie between the years 0001 and 9999 (UTC)");
  return ms;
}

const comparePositions = (a: FeedPosition, b: FeedPosition) =>
  a.txid === b.txid ? (a.id === b.id ? 0 : a.id < b.id ? -1 : 1) : a.txid < b.txid ? -1 : 1;

/**
 * Positions leave SQL as text (xid8 exceeds a JS number) under another name
 * than the column: `order by txid` would otherwise sort the text alias, and
 * "100000" < "99999" repeats and skips rows whenever the counter gains a digit.
 */
interface FeedRow extends UserResponseSqlRow {
  txid_text: string;
  visible: boolean;
}

/**
 * A row the viewer may no longer see: deleted (`deletedAt` set), or moved out of its view by
 * moderation. A follower drops the id; see `toResponseTombstoneWire` for how it is sent.
 */
export interface FeedTombstone {
  tombstone: true;
  id: string;
  sessionId: SessionId;
  activityId: ActivityId;
  deletedAt: Date | null;
  /** The row's last write: for a hidden entry, when it left the viewer's view. */
  updatedAt: Date;
}

/** A feed entry: a response the viewer sees, or a tombstone for one it must drop. */
export type FeedEntry = UserResponseRow | FeedTombstone;
export const isFeedTombstone = (entry: FeedEntry): entry is FeedTombstone => "tombstone" in entry;

export interface FeedPage {
  /** In feed order. */
  entries: FeedEntry[];
  /** The timestamp the feed reads after (the cursor's, when following one). */
  since: Date;
  /** Continues after the last entry (or from where this poll started, when there is none). */
  nextCursor: string;
  hasMore: boolean;
}

/** What every reader can already see (below xmin): the newest position, and the newest updated_at. */
interface FeedHead {
  txid: string;
  id: string;
  /**
   * The largest updated_at of any visible row, which need not be the head
   * row's: a writer that started early (updated_at is its start time) can
   * commit, and pass below xmin, after one that started later.
   */
  newestMs: number;
  /**
   * A committed row is not visible yet (an older transaction on the database is
   * still open). Its write invalidated this key before it could be read, so no
   * later write may come to refresh a head cached now: such a head is never
   * answered from, and a poll reads the database until the row is visible.
   */
  pending: boolean;
}

/** Cached: an idle feed costs no query per poll, by cursor or by timestamp. */
async function feedHead(deps: ServiceDeps, activityId: ActivityId): Promise<FeedHead | null> {
  return cachedRead(deps, cacheKeys.feedHead(activityId), async ({ db }) => {
    // One statement, one snapshot; each part is a one-row backward index probe.
    const [row] = await queryRows<{ txid_text: string | null; id: string | null; newest_ms: string | null; pending: boolean }>(
      db,
      sql`select h.txid_text, h.id,
                 (select (extract(epoch from max(n.updated_at)) * 1000)::int8::text
                    from user_responses n
                   where n.activity_id = ${activityId} and n.txid < pg_snapshot_xmin(pg_current_snapshot())) as newest_ms,
                 exists (select 1 from user_responses p
                          where p.activity_id = ${activityId} and p.txid >= pg_snapshot_xmin(pg_current_snapshot())) as pending
            from (select 1) one
            left join (select txid::text as txid_text, id from user_responses
                        where activity_id = ${activityId} and txid < pg_snapshot_xmin(pg_current_snapshot())
                        order by txid desc, id desc limit 1) h on true`,
    );
    if (!row) return null;
    if (row.txid_text === null || row.id === null)
      return row.pending ? { txid: "0", id: NIL_UUID, newestMs: 0, pending: true } : null;
    return { txid: row.txid_text, id: row.id, newestMs: Number(row.newest_ms), pending: row.pending };
  });
}

/**
 * Nothing new for this poll: the cursor is at the head, or no visible row was
 * updated after the timestamp. Participants read a subset of the activity's
 * rows, so an empty answer for all is an empty answer for them too.
 */
function atHead(head: FeedHead | null, cursor: Cursor, byCursor: boolean): boolean {
  if (!head) return true;
  if (head.pending) return false;
  if (byCursor) return comparePositions({ txid: BigInt(head.txid), id: head.id }, cursor) <= 0;
  return cursor.sinceMs >= head.newestMs;
}

/** Where a poll reads from: its cursor, or the start of time at its timestamp. */
function pollPosition(q: { timestamp: string; cursor?: string }): { cursor: Cursor; byCursor: boolean } {
  const sinceMs = parseSinceTimestamp(q.timestamp);
  return { cursor: q.cursor ? decodeCursor(q.cursor) : { txid: 0n, id: NIL_UUID, sinceMs }, byCursor: q.cursor !== undefined };
}

/**
 * The cached head a poll with nothing new is answered from (null: no visible
 * row yet), or undefined when the poll has something new and its answer reads
 * the database. The answer at the head is a function of the poll's input and
 * this head (for revalidation: see the feed procedure's pollState).
 */
export async function idleFeedHead(
  deps: ServiceDeps,
  q: { activityId: string; timestamp: string; cursor?: string },
): Promise<FeedHead | null | undefined> {
  const { cursor, byCursor } = pollPosition(q);
  const head = await feedHead(deps, q.activityId);
  return atHead(head, cursor, byCursor) ? head : undefined;
}

export async function responseFeed(
  deps: ServiceDeps,
  q: {
    sessionId: SessionId;
    activityId: ActivityId;
    timestamp: string;
    cursor?: string;
    limit: number;
    /** A participant sees its own responses, and others' approved ones where the type shares entries. */
    participantId?: ParticipantId;
  },
): Promise<FeedPage> {
  const { cursor, byCursor } = pollPosition(q);
  const since = new Date(cursor.sinceMs);
  const empty = (): FeedPage => ({ entries: [], since, nextCursor: encodeCursor(cursor), hasMore: false });

  if (atHead(await feedHead(deps, q.activityId), cursor, byCursor)) return empty();

  const sinceIso = since.toISOString();
  const scope = feedScope(deps.activityTypes, q.activityId, q.participantId);
  const visible = visibleTo(q.participantId);
  const columns = sql`id, session_id, participant_id, activity_id, response_data, created_at, updated_at, status, vote_count, deleted_at`;
  const rows = await queryRows<FeedRow>(
    deps.db,
    byCursor
      ? sql`select ${columns}, txid::text as txid_text, ${visible} as visible
              from user_responses
             where activity_id = ${q.activityId}
               and (txid, id) > (${cursor.txid.toString()}::xid8, ${cursor.id}::uuid)
               and txid < pg_snapshot_xmin(pg_current_snapshot())
               and updated_at > ${sinceIso}::timestamptz
               and ${scope}
             order by txid, id
             limit ${q.limit + 1}`
      : // By timestamp: the rows updated after it, as a range of the (activity_id, updated_at)
        // index whatever the statistics say (materialized, the order by cannot pull the plan onto
        // the feed index, which would walk every row of the activity filtering on updated_at).
        sql`with recent as materialized (
              select ${columns}, txid from user_responses
               where activity_id = ${q.activityId} and updated_at > ${sinceIso}::timestamptz and ${scope}
            )
            select ${columns}, txid::text as txid_text, ${visible} as visible
              from recent
             where txid < pg_snapshot_xmin(pg_current_snapshot())
             order by txid, id
             limit ${q.limit + 1}`,
  );
  if (rows.length === 0) return empty();
  const hasMore = rows.length > q.limit;
  const page = hasMore ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1] as FeedRow;
  return {
    entries: page.map(toFeedEntry),
    since,
    nextCursor: encodeCursor({ txid: BigInt(last.txid_text), id: last.id, sinceMs: cursor.sinceMs }),
    hasMore,
  };
}

function toFeedEntry(row: FeedRow): FeedEntry {
  if (row.visible) return fromSqlRow(row);
  return {
    tombstone: true,
    id: row.id,
    sessionId: Number(row.session_id),
    activityId: row.activity_id,
    deletedAt: row.deleted_at == null ? null : new Date(row.deleted_at),
    updatedAt: new Date(row.updated_at),
  };
}
