import { type UserResponseRow, type ActivityId, type ParticipantId, type SessionId, queryRows, sql } from "@caja/db";
import { andThen, type MaybePromise } from "../maybe-sync";
import { cacheKeys } from "./cache-keys";
import {
  compareStampPositions,
  compareTxidPositions,
  encodeCursor,
  NIL_UUID,
  pollPosition,
  type FeedCursor,
} from "./feed-cursor";
import { stampPage, txidPage, type FeedRow } from "./feed-pages";
import { fromSqlRow } from "./response-rows";
import { cachedReadNow, type ServiceDeps } from "./deps";

/**
 * The incremental response feed.
 *
 * Order: by `updated_at`, then by row id ("stamp order"). `updated_at` is the
 * start of the transaction that last wrote the row, so stamps are not taken in
 * commit order: a writer that started early can commit after a later one. A
 * timestamp alone fails exactly there: a poller that moved past the later row
 * would never see the earlier one. So every read stops below a watermark (see
 * feed-watermark.ts), a time below which no row can still appear: below it the
 * set of rows, at their latest versions, is final. A poller at any stamp below a
 * watermark it was served from (its cursor, or simply the newest `updated_at`
 * it has seen) therefore never skips a late-committing writer (gap-free): every
 * row it has not seen, or any later version of one, carries a later stamp. And
 * a version, once behind the poller's position, is never served again
 * (duplicate-free); an edit is a new version with a new stamp. Writers never
 * wait for each other. The price: a row shows once every transaction of its
 * database that started before it has ended, and at least WATERMARK_MARGIN_MS
 * after its writer started; a long transaction delays the feed, never loses
 * from it.
 *
 * Cursors handed out before this order (kind 1, by the transaction id that last
 * wrote the row, below the snapshot's xmin) are still followed in that order:
 * see feed-cursor.ts and txidPage.
 *
 * Moderation, votes and deletion rewrite the row (new stamp), so they reach
 * followers like edits. A row the caller could see and no longer may (deleted,
 * or another participant's entry moderated out of view after it was approved)
 * is sent as a tombstone, which tells a follower to drop the id; an entry it
 * never could see is not mentioned: see participant-view.ts.
 */

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

/**
 * The newest rows, cached so that a poll with nothing new costs no query. Both parts
 * are read in one statement; a write invalidates the key after it commits.
 */
interface FeedHead {
  /** Stamp order: the newest committed row by (updated_at, id), whether below the watermark yet or not. */
  stampMs: number;
  stampId: string;
  /** Transaction order (kind-1 cursors): the newest position below xmin ("0" and the nil id: none yet). */
  txid: string;
  id: string;
  /**
   * A committed row is not below xmin yet (an older transaction on the cluster is
   * still open). Its write invalidated this key before it could be read, so no
   * later write may come to refresh a head cached now: such a head never answers
   * a kind-1 cursor, which then reads the database until the row is below xmin.
   */
  pending: boolean;
}

/**
 * Cached: an idle feed costs no query per poll, by cursor or by timestamp. Null: the activity has no row.
 * The head itself, not a promise, when the local cache holds it: the idle poll's path then has no await.
 */
function feedHead(deps: ServiceDeps, activityId: ActivityId): MaybePromise<FeedHead | null> {
  return cachedReadNow(deps, cacheKeys.feedHead(activityId), async ({ db }) => {
    // One statement, one snapshot; each part is a one-row backward index probe.
    const [row] = await queryRows<{
      stamp_ms: string | null;
      stamp_id: string | null;
      txid_text: string | null;
      id: string | null;
      pending: boolean;
    }>(
      db,
      sql`select s.stamp_ms, s.id as stamp_id, h.txid_text, h.id,
                 exists (select 1 from user_responses p
                          where p.activity_id = ${activityId} and p.txid >= pg_snapshot_xmin(pg_current_snapshot())) as pending
            from (select 1) one
            left join (select (extract(epoch from updated_at) * 1000)::int8::text as stamp_ms, id from user_responses
                        where activity_id = ${activityId}
                        order by updated_at desc, id desc limit 1) s on true
            left join (select txid::text as txid_text, id from user_responses
                        where activity_id = ${activityId} and txid < pg_snapshot_xmin(pg_current_snapshot())
                        order by txid desc, id desc limit 1) h on true`,
    );
    if (!row || row.stamp_ms === null || row.stamp_id === null) return null;
    return {
      stampMs: Number(row.stamp_ms),
      stampId: row.stamp_id,
      txid: row.txid_text ?? "0",
      id: row.id ?? NIL_UUID,
      pending: row.pending,
    };
  });
}

/**
 * Nothing new for this poll. By stamp: the poll is at or after the newest committed
 * row (one committed later invalidates the head). By txid: at or after the head
 * below xmin, with nothing committed above it. Participants read a subset of the
 * activity's rows, so an empty answer for all is an empty answer for them too.
 */
function atHead(head: FeedHead | null, cursor: FeedCursor): boolean {
  if (!head) return true;
  if (cursor.kind === "txid") {
    return !head.pending && compareTxidPositions({ txid: BigInt(head.txid), id: head.id }, cursor) <= 0;
  }
  return head.stampMs <= cursor.sinceMs || compareStampPositions({ stampMs: head.stampMs, id: head.stampId }, cursor) <= 0;
}

/**
 * The cached head a poll with nothing new is answered from (null: the activity
 * has no row), or undefined when the poll has something new and its answer reads
 * the database. The answer at the head is a function of the poll's input and
 * this head (for revalidation: see the feed procedure's pollState).
 */
export function idleFeedHead(
  deps: ServiceDeps,
  q: { activityId: string; timestamp: string; cursor?: string },
): MaybePromise<FeedHead | null | undefined> {
  const cursor = pollPosition(q);
  // Not async: at the head the poll is answered from the local cache, without a promise (see revalidation.ts).
  return andThen(feedHead(deps, q.activityId), (head) => (atHead(head, cursor) ? head : undefined));
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
  const cursor = pollPosition(q);
  const since = new Date(cursor.sinceMs);
  const empty = (): FeedPage => ({ entries: [], since, nextCursor: encodeCursor(cursor), hasMore: false });

  if (atHead(await feedHead(deps, q.activityId), cursor)) return empty();

  const read = { deps, activityId: q.activityId, limit: q.limit, participantId: q.participantId };
  const { rows, hasMore } = cursor.kind === "txid" ? await txidPage(read, cursor) : await stampPage(read, cursor);
  const last = rows.at(-1);
  if (!last) return empty();
  const nextCursor: FeedCursor =
    cursor.kind === "txid"
      ? { kind: "txid", txid: BigInt(last.txid_text), id: last.id, sinceMs: cursor.sinceMs }
      : { kind: "stamp", stampMs: Number(last.stamp_ms), id: last.id, sinceMs: cursor.sinceMs };
  return { entries: rows.map(toFeedEntry), since, nextCursor: encodeCursor(nextCursor), hasMore };
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
