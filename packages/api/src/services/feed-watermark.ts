import { queryRows, sql, underlyingDatabase, type Database } from "@caja/db";

/**
 * How far behind the database's clock the watermark stays at least. A writer's
 * stamp is its transaction's start, read from the clock when its first command
 * arrives; pg_stat_activity shows that start a moment later (after the backend
 * has begun the transaction). A transaction caught in between is invisible to
 * the watermark's read but may carry a stamp just below that read's clock: the
 * margin covers that moment, with room for a backend descheduled on a loaded
 * machine. It is also the least delay before a row can show in the feed.
 */
export const WATERMARK_MARGIN_MS = 50;

/**
 * The feed's time watermark, in epoch milliseconds: no row with an `updated_at`
 * below it can still appear (be committed later, or be rewritten to it).
 *
 * Every write stamps `updated_at = now()`, its transaction's start, rounded to
 * milliseconds (timestamp(3)). This statement reads the clock and the starts of
 * the transactions in progress on this database (`xact_start`) and answers
 * W = least(clock - margin, oldest start), truncated to the millisecond:
 * - a transaction in progress now stamps at or after its start >= W, and
 *   rounding cannot take it below the truncated W;
 * - one that starts later stamps later still;
 * - one that has ended is committed (or gone) before the statement that reads
 *   the rows takes its snapshot, which it must do after this one returned: a
 *   watermark is read in a statement of its own, before the rows, never in the
 *   same statement (whose snapshot would predate the activity it reads).
 * So the rows below W that a later statement sees are all the rows below W
 * there will ever be, at their latest versions. An older watermark stays true
 * (it only shows less); a newer one only grows, save for the margin's moment.
 *
 * Assumptions, stated where they are relied on:
 * - The rows are written by Caja's own database role (or one with
 *   pg_read_all_stats): pg_stat_activity shows `xact_start` of another role's
 *   backends as NULL, and their transactions would not hold W back.
 * - No prepared (two-phase) transactions write responses: they have no backend.
 * - track_activities is on (the default): without it a backend reports no xact_start.
 * - The database server's clock does not step backwards (stamps and W read it).
 * - PGlite has one backend, this one: W is the clock less the margin, which is
 *   right, since no other transaction can be open while this statement runs.
 */
export async function feedWatermarkMs(db: Database): Promise<number> {
  const now = Date.now();
  // Shared by every request on this database: each request reads through a view of its own (its deadline).
  const database = underlyingDatabase(db);
  const recent = recentReads.get(database);
  if (recent && now - recent.startedAt < REUSE_MS) return recent.watermark;
  const watermark = readWatermarkMs(db);
  recentReads.set(database, { startedAt: now, watermark });
  watermark.catch(() => recentReads.delete(database));
  return watermark;
}

/**
 * A watermark stays true once read (it only shows less than a newer one), so every
 * poll of this instance whose read began within REUSE_MS of another's shares it, in
 * flight or done: its statement has returned before the rows are read, as required.
 * Under many pollers the watermark costs one statement per REUSE_MS per instance, not
 * one per poll; a row shows at most REUSE_MS later.
 */
const REUSE_MS = 20;
const recentReads = new WeakMap<Database, { startedAt: number; watermark: Promise<number> }>();

async function readWatermarkMs(db: Database): Promise<number> {
  const [row] = await queryRows<{ watermark_ms: string }>(
    db,
    sql`select (extract(epoch from date_trunc('milliseconds', least(
                  clock_timestamp() - ${WATERMARK_MARGIN_MS} * interval '1 millisecond',
                  (select min(a.xact_start) from pg_stat_activity a
                    where a.datname = current_database() and a.pid <> pg_backend_pid()
                      and a.backend_type = 'client backend' and a.xact_start is not null)
                ))) * 1000)::int8::text as watermark_ms`,
  );
  if (!row) throw new Error("the watermark statement returned no row");
  return Number(row.watermark_ms);
}
