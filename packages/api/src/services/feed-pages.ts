import { queryRows, sql, type ActivityId, type ParticipantId } from "@caja/db";
import type { StampCursor, TxidCursor } from "./feed-cursor";
import { feedWatermarkMs } from "./feed-watermark";
import type { UserResponseSqlRow } from "./response-rows";
import type { ServiceDeps } from "./deps";
import { feedScope, visibleTo } from "./participant-view";

/**
 * Positions leave SQL as text (xid8 exceeds a JS number; a stamp as epoch
 * milliseconds) under other names than the columns: `order by txid` would
 * otherwise sort the text alias, and "100000" < "99999" repeats and skips rows
 * whenever the counter gains a digit.
 */
export interface FeedRow extends UserResponseSqlRow {
  txid_text: string;
  stamp_ms: string;
  visible: boolean;
}

export interface PageRead {
  deps: ServiceDeps;
  activityId: ActivityId;
  limit: number;
  participantId?: ParticipantId;
}

interface ReadRows {
  rows: FeedRow[];
  hasMore: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

function selectFrom(read: PageRead) {
  const columns = sql`id, session_id, participant_id, activity_id, response_data, created_at, updated_at, status, vote_count, deleted_at`;
  return sql`select ${columns}, txid::text as txid_text, (extract(epoch from updated_at) * 1000)::int8::text as stamp_ms,
                    ${visibleTo(read.participantId)} as visible
               from user_responses
              where activity_id = ${read.activityId}
                and ${feedScope(read.deps.activityTypes, read.activityId, read.participantId)}`;
}

/**
 * A page in stamp order: the rows after the cursor and below the watermark, in
 * `(updated_at, id)` order, in the statement's own (read committed) snapshot:
 * every row below the watermark is committed, and a row committed but hidden
 * from an older snapshot horizon is no reason to hold back newer stamps.
 *
 * A page never ends inside a millisecond: when the row after it shares the last
 * row's stamp, the page ends before that stamp (or, when every row of it shares
 * one, takes the whole millisecond, beyond `limit`). A poller that keeps only the
 * newest `updated_at` it has seen and asks `since` it, without the cursor, so never
 * loses the rest of a millisecond.
 */
export async function stampPage(read: PageRead, cursor: StampCursor): Promise<ReadRows> {
  const watermarkMs = await feedWatermarkMs(read.deps.db);
  const fromMs = Math.max(cursor.stampMs, cursor.sinceMs);
  if (fromMs >= watermarkMs) return { rows: [], hasMore: false };
  const rows = await queryRows<FeedRow>(
    read.deps.db,
    sql`${selectFrom(read)}
          and updated_at > ${iso(cursor.sinceMs)}::timestamptz
          and updated_at >= ${iso(cursor.stampMs)}::timestamptz
          and (updated_at, id) > (${iso(cursor.stampMs)}::timestamptz, ${cursor.id}::uuid)
          and updated_at < ${iso(watermarkMs)}::timestamptz
        order by updated_at, id
        limit ${read.limit + 1}`,
  );
  if (rows.length <= read.limit) return { rows, hasMore: false };
  const page = rows.slice(0, read.limit);
  const last = page[page.length - 1] as FeedRow;
  if ((rows[read.limit] as FeedRow).stamp_ms !== last.stamp_ms) return { rows: page, hasMore: true };
  const wholeMilliseconds = page.filter((row) => row.stamp_ms !== last.stamp_ms);
  if (wholeMilliseconds.length > 0) return { rows: wholeMilliseconds, hasMore: true };
  const restOfMillisecond = await queryRows<FeedRow>(
    read.deps.db,
    sql`${selectFrom(read)}
          and updated_at = ${iso(Number(last.stamp_ms))}::timestamptz and id > ${last.id}::uuid
        order by id`,
  );
  return { rows: [...page, ...restOfMillisecond], hasMore: true };
}

/**
 * A page in transaction order, for a kind-1 cursor: the rows after it whose writing
 * transaction is below the snapshot's xmin (every older transaction has ended, and
 * every later write gets a larger txid), so that position is gap-free too.
 */
export async function txidPage(read: PageRead, cursor: TxidCursor): Promise<ReadRows> {
  const rows = await queryRows<FeedRow>(
    read.deps.db,
    sql`${selectFrom(read)}
          and (txid, id) > (${cursor.txid.toString()}::xid8, ${cursor.id}::uuid)
          and txid < pg_snapshot_xmin(pg_current_snapshot())
          and updated_at > ${iso(cursor.sinceMs)}::timestamptz
        order by txid, id
        limit ${read.limit + 1}`,
  );
  const hasMore = rows.length > read.limit;
  return { rows: hasMore ? rows.slice(0, read.limit) : rows, hasMore };
}
