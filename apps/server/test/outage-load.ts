import { createDb, queryRows, sql } from "@caja/db";
import type { TestServer } from "./harness";
import { paths, sleep, type Room } from "./polling-setup";

/**
 * The operator's experiment from issue 10, as a reusable load: one participant
 * submits answers 1, 2, 3, ... (answer n+1 only after n was acknowledged),
 * retrying through a round-robin "load balancer" over the instances when a
 * request fails or outlasts the client's timeout; a few pollers keep both
 * instances busy. A trigger in the test's own cluster logs every write that
 * reaches the row, so a late write shows up even if a newer one covers it.
 */
export interface Attempt {
  kind: "submit" | "poll";
  instance: number;
  n?: number;
  startedAt: number;
  ms: number;
  /** HTTP status, or "timeout" (the client gave up) / "network" (no answer). */
  status: number | "timeout" | "network";
  retryAfter: string | null;
  code?: string;
}

export interface LoadOptions {
  servers: TestServer[];
  room: Room;
  clientTimeoutMs: number;
  pollers: number;
}

export class OutageLoad {
  readonly attempts: Attempt[] = [];
  /** Answers acknowledged with a 2xx, in order: [n, acknowledgedAt]. */
  readonly acknowledged: Array<[number, number]> = [];
  private running = true;
  private loops: Promise<void>[] = [];
  private turn = 0;

  constructor(private readonly options: LoadOptions) {}

  start() {
    this.loops.push(this.submitter());
    for (let i = 0; i < this.options.pollers; i++) this.loops.push(this.poller(i));
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  lastAcknowledged = () => this.acknowledged.at(-1)?.[0];

  private next() {
    return this.turn++ % this.options.servers.length;
  }

  private async request(
    kind: Attempt["kind"],
    instance: number,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    n?: number,
  ): Promise<Attempt> {
    const server = this.options.servers[instance] as TestServer;
    const startedAt = Date.now();
    const attempt: Attempt = { kind, instance, n, startedAt, ms: 0, status: "network", retryAfter: null };
    try {
      const res = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.clientTimeoutMs),
      });
      const text = await res.text();
      attempt.status = res.status;
      attempt.retryAfter = res.headers.get("retry-after");
      if (res.status >= 400) attempt.code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch (error) {
      attempt.status = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network";
    }
    attempt.ms = Date.now() - startedAt;
    this.attempts.push(attempt);
    return attempt;
  }

  private async submitter() {
    const { room } = this.options;
    const token = room.participants[0]?.token as string;
    let n = 1;
    while (this.running) {
      const attempt = await this.request("submit", this.next(), "POST", paths(room).submit, token, { response_data: { n } }, n);
      if (typeof attempt.status === "number" && attempt.status < 300) {
        this.acknowledged.push([n, Date.now()]);
        n++;
        await sleep(50);
      } else {
        await sleep(250);
      }
    }
  }

  private async poller(i: number) {
    const { room } = this.options;
    const p = paths(room);
    while (this.running) {
      await this.request("poll", this.next(), "GET", i % 2 ? p.activity : p.feed("2000-01-01T00:00:00Z"), room.admin);
      await sleep(100);
    }
  }
}

/** Logs every write to user_responses.response_data->'n', in the order the row saw them. */
export async function installAnswerLog(url: string) {
  const handle = createDb(url, { maxConnections: 1 });
  try {
    await handle.db.execute(
      sql.raw(`
      create table answer_log (seq bigserial primary key, at timestamptz not null default clock_timestamp(), n int);
      create function log_answer() returns trigger language plpgsql as $$
        begin insert into answer_log (n) values ((new.response_data->>'n')::int); return new; end $$;
      create trigger user_responses_log after insert or update on user_responses
        for each row execute function log_answer();`),
    );
  } finally {
    await handle.close();
  }
}

export async function readAnswerLog(url: string, participantId: number) {
  const handle = createDb(url, { maxConnections: 1 });
  try {
    const log = await queryRows<{ n: number }>(handle.db, sql`select n from answer_log order by seq`);
    const [stored] = await queryRows<{ n: number }>(
      handle.db,
      sql`select (response_data->>'n')::int as n from user_responses where participant_id = ${participantId}`,
    );
    // A write of an older answer after a newer one: the newer one was overwritten.
    const lateOverwrites = log.filter((entry, i) => log.slice(0, i).some((earlier) => earlier.n > entry.n));
    return { log: log.map((e) => e.n), stored: stored?.n, lateOverwrites: lateOverwrites.map((e) => e.n) };
  } finally {
    await handle.close();
  }
}
