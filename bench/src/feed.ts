import type { Pool } from "undici";
import { paths } from "./http";
import type { ErrorLedger } from "./stats";

interface FeedItemBody {
  id: string;
  participant_id: number;
  response_data: { seq?: unknown };
  updated_at: string;
}
interface FeedBody {
  items: FeedItemBody[];
  next_cursor: string;
  has_more: boolean;
  poll_interval_ms: number;
}

export interface FeedVersion {
  participantId: number;
  seq: number;
  updatedAt: string;
}

/** How a presenter follows the feed: by `next_cursor` (gap-free), or by the newest `updated_at` it has seen (the spec's timestamp, as the seed frontend polls). */
export type FollowMode = "cursor" | "timestamp";

/**
 * The presenter's screen: follows responses/since, keeps the latest version of
 * every response by id, and notices any version delivered twice or older than
 * one already shown. By timestamp it asks for what changed after the newest
 * `updated_at` it has seen, and uses `next_cursor` only to page through
 * `has_more`.
 */
export class Presenter {
  readonly latest = new Map<string, FeedVersion>();
  /** The same (id, seq) delivered again. */
  duplicates = 0;
  /** Versions older than the one already shown for their id: the participant, the seq shown, the older seq. */
  readonly regressions: { participantId: number; shown: number; seq: number }[] = [];
  itemsReceived = 0;
  maxAdvertisedPollMs = 0;
  private readonly seen = new Set<string>();
  private cursor: string | null = null;
  private etag: string | null = null;
  private newest: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly ledger: ErrorLedger,
    private readonly room: { sessionId: number; activityId: string },
    private readonly authorization: string,
    private readonly since: string,
    private readonly limit: number,
    readonly mode: FollowMode = "cursor",
  ) {
    this.newest = since;
  }

  /**
   * One request; throws only on a network error. Requests are sent one at a
   * time whoever asks (the scenario's loop may still be paging when the checks
   * drain the feed): two callers must not both apply the page of one cursor.
   */
  poll(): Promise<{ status: number; hasMore: boolean }> {
    const answer = this.queue.then(() => this.pollOnce());
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  private async pollOnce(): Promise<{ status: number; hasMore: boolean }> {
    const headers: Record<string, string> = { authorization: this.authorization };
    if (this.etag) headers["if-none-match"] = this.etag;
    const since = this.mode === "timestamp" ? this.newest : this.since;
    const res = await this.pool.request({
      method: "GET",
      path: paths.feed(this.room.sessionId, this.room.activityId, since, this.cursor, this.limit),
      headers,
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      this.ledger.note("feed", res.statusCode, text);
      return { status: res.statusCode, hasMore: false };
    }
    const body = (await res.body.json()) as FeedBody;
    const etag = res.headers.etag;
    this.etag = typeof etag === "string" ? etag : null;
    this.cursor = this.mode === "cursor" || body.has_more ? body.next_cursor : null;
    this.maxAdvertisedPollMs = Math.max(this.maxAdvertisedPollMs, body.poll_interval_ms);
    for (const item of body.items) this.apply(item);
    return { status: 200, hasMore: body.has_more };
  }

  /** Follows has_more to the head of the feed. */
  async catchUp(maxRequests = 1000): Promise<void> {
    for (let i = 0; i < maxRequests; i++) {
      const { status, hasMore } = await this.poll();
      if (status >= 400 || !hasMore) return;
    }
  }

  private apply(item: FeedItemBody): void {
    this.itemsReceived++;
    // ISO-8601 UTC strings of one format order as their instants.
    if (item.updated_at > this.newest) this.newest = item.updated_at;
    const seq = typeof item.response_data.seq === "number" ? item.response_data.seq : -1;
    const key = `${item.id}:${seq}`;
    if (this.seen.has(key)) this.duplicates++;
    this.seen.add(key);
    const shown = this.latest.get(item.id);
    if (shown && shown.seq > seq) {
      this.regressions.push({ participantId: item.participant_id, shown: shown.seq, seq });
      return;
    }
    this.latest.set(item.id, { participantId: item.participant_id, seq, updatedAt: item.updated_at });
  }
}
