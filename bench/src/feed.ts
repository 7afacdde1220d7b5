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

/**
 * The presenter's screen: follows responses/since with the cursor it is handed,
 * keeps the latest version of every response by id, and notices any version
 * delivered twice or older than one already shown.
 */
export class Presenter {
  readonly latest = new Map<string, FeedVersion>();
  /** The same (id, seq) delivered again. */
  duplicates = 0;
  /** A version older than the one already shown for that id. */
  regressions = 0;
  itemsReceived = 0;
  maxAdvertisedPollMs = 0;
  private readonly seen = new Set<string>();
  private cursor: string | null = null;
  private etag: string | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly ledger: ErrorLedger,
    private readonly room: { sessionId: number; activityId: string },
    private readonly authorization: string,
    private readonly since: string,
    private readonly limit: number,
  ) {}

  /** One request; throws only on a network error. */
  async poll(): Promise<{ status: number; hasMore: boolean }> {
    const headers: Record<string, string> = { authorization: this.authorization };
    if (this.etag) headers["if-none-match"] = this.etag;
    const res = await this.pool.request({
      method: "GET",
      path: paths.feed(this.room.sessionId, this.room.activityId, this.since, this.cursor, this.limit),
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
    this.cursor = body.next_cursor;
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
    const seq = typeof item.response_data.seq === "number" ? item.response_data.seq : -1;
    const key = `${item.id}:${seq}`;
    if (this.seen.has(key)) this.duplicates++;
    this.seen.add(key);
    const shown = this.latest.get(item.id);
    if (shown && shown.seq > seq) {
      this.regressions++;
      return;
    }
    this.latest.set(item.id, { participantId: item.participant_id, seq, updatedAt: item.updated_at });
  }
}
