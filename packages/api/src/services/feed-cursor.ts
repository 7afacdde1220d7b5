import { validationError } from "../errors";

/**
 * Where a feed poll reads from, and the opaque `next_cursor` that names it.
 *
 * - `stamp` (kind 2, what the feed hands out): after the row `(stampMs, id)` in
 *   `(updated_at, id)` order. See feed.ts for why that order is gap-free.
 * - `txid` (kind 1, handed out before kind 2): after `(txid, id)` in the order of the
 *   transaction ids that last wrote the rows. Still read, with its own semantics, so
 *   that a follower holding one keeps following without a gap; its pages continue
 *   with kind 1.
 *
 * Both carry the `since` of the poll that started the walk: rows at or before it
 * stay out of every page of that walk.
 */
export type FeedCursor =
  { kind: "stamp"; stampMs: number; id: string; sinceMs: number } | { kind: "txid"; txid: bigint; id: string; sinceMs: number };

export type StampCursor = Extract<FeedCursor, { kind: "stamp" }>;
export type TxidCursor = Extract<FeedCursor, { kind: "txid" }>;

export const NIL_UUID = "00000000-0000-0000-0000-000000000000";
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

export function encodeCursor(c: FeedCursor): string {
  const text = c.kind === "stamp" ? `2:${c.stampMs}:${c.id}:${c.sinceMs}` : `1:${c.txid}:${c.id}:${c.sinceMs}`;
  return Buffer.from(text, "utf8").toString("base64url");
}

export function decodeCursor(text: string): FeedCursor {
  const invalid = () => validationError("cursor", "not a cursor returned by this feed");
  if (text.length > 200) throw invalid();
  const parts = Buffer.from(text, "base64url").toString("utf8").split(":");
  if (parts.length !== 4) throw invalid();
  const [kind, position, id, since] = parts as [string, string, string, string];
  if (!UUID_RE.test(id) || !/^-?\d{1,16}$/.test(since)) throw invalid();
  const sinceMs = Number(since);
  if (!inSinceRange(sinceMs)) throw invalid();
  if (kind === "2") {
    if (!/^-?\d{1,16}$/.test(position) || !inSinceRange(Number(position))) throw invalid();
    return { kind: "stamp", stampMs: Number(position), id, sinceMs };
  }
  if (kind !== "1" || !/^\d{1,20}$/.test(position) || BigInt(position) > MAX_XID8) throw invalid();
  return { kind: "txid", txid: BigInt(position), id, sinceMs };
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

/**
 * Positions read before, by their raw text: a follower at the head sends the same timestamp
 * and cursor every poll, and decoding them (base64url, regexes, Date.parse, BigInt) cost
 * that poll more than the rest of its state. Only valid texts are kept (an invalid one throws
 * every time); the positions are frozen, as every poll of those texts shares them.
 */
const MAX_REMEMBERED = 1_000;
/** By timestamp text: the start of the stamp order after it. */
const starts = new Map<string, Readonly<StampCursor>>();
/** By cursor text. */
const cursors = new Map<string, Readonly<FeedCursor>>();

function remember<T>(map: Map<string, T>, text: string, value: T): T {
  if (text.length > 200) return value;
  if (map.size >= MAX_REMEMBERED) map.clear();
  map.set(text, value);
  return value;
}

function startAfter(timestamp: string): Readonly<StampCursor> {
  const sinceMs = parseSinceTimestamp(timestamp);
  return Object.freeze({ kind: "stamp", stampMs: sinceMs, id: NIL_UUID, sinceMs });
}

/** Where a poll reads from: its cursor, or, by timestamp, the start of the stamp order after `since`. */
export function pollPosition(q: { timestamp: string; cursor?: string }): Readonly<FeedCursor> {
  // The timestamp is validated with a cursor too.
  const start = starts.get(q.timestamp) ?? remember(starts, q.timestamp, startAfter(q.timestamp));
  if (!q.cursor) return start;
  return cursors.get(q.cursor) ?? remember(cursors, q.cursor, Object.freeze(decodeCursor(q.cursor)));
}

const compareIds = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

export const compareTxidPositions = (a: { txid: bigint; id: string }, b: { txid: bigint; id: string }) =>
  a.txid === b.txid ? compareIds(a.id, b.id) : a.txid < b.txid ? -1 : 1;

export const compareStampPositions = (a: { stampMs: number; id: string }, b: { stampMs: number; id: string }) =>
  a.stampMs === b.stampMs ? compareIds(a.id, b.id) : a.stampMs < b.stampMs ? -1 : 1;
