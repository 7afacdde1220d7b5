import { randomUUID } from "node:crypto";
import { openRoom, paths, sleep, type Room } from "./polling-setup";

/**
 * The fault suite's traffic (issue 10): participants submitting answers 1, 2, 3, ...
 * (answer n+1 only once n was acknowledged), each retry of an answer sent with the
 * same Idempotency-Key, and presenters polling, all through a round-robin "load
 * balancer" that skips an instance for a second after it refused a connection.
 * Half the participants answer a single-answer activity (each answer replaces the
 * last), half a multiple-answer one (each answer is a row of its own).
 */
export interface Attempt {
  kind: "submit" | "poll";
  /** The submitter or poller that sent it. */
  client: string;
  instance: number;
  startedAt: number;
  ms: number;
  /** HTTP status, or "timeout" (the client gave up) / "network" (no answer: refused, reset). */
  status: number | "timeout" | "network";
  retryAfter: string | null;
  code?: string;
  message?: string;
}

export interface Acknowledged {
  participantId: number;
  activityId: string;
  n: number;
  /** When its first attempt was sent: the write belongs to the fault running then. */
  firstSentAt: number;
  ackedAt: number;
}

/** Two sessions: one with a single-answer activity, one whose activity takes many answers per participant. */
export interface FaultRooms {
  single: Room;
  multi: Room;
}

export async function openFaultRooms(server: { url: string; adminToken(sub?: string): string }, participants: number) {
  const half = Math.ceil(participants / 2);
  const single = await openRoom(server, half);
  // Uncapped in effect: a run adds more answers per participant than MAX_RESPONSES_PER_PARTICIPANT's default.
  const multi = await openRoom(server, participants - half, "alice", {
    response_mode: "multiple",
    max_responses_per_participant: 1_000_000,
  });
  return { single, multi } satisfies FaultRooms;
}

const isOk = (status: Attempt["status"]) => typeof status === "number" && status < 300;
/** Worth retrying with the same key: the request may not have been applied, and a replay is safe. */
const retriable = (status: Attempt["status"]) => !isOk(status) && (typeof status !== "number" || status === 429 || status >= 500);

export class FaultLoad {
  readonly attempts: Attempt[] = [];
  readonly acknowledged: Acknowledged[] = [];
  /** Submissions answered with a 4xx that is not worth retrying (none expected). */
  readonly refused: Array<Attempt & { n: number }> = [];
  private running = true;
  private loops: Promise<void>[] = [];
  private turn = 0;
  private readonly downUntil: number[];
  /** The requests still waiting for an answer. */
  private readonly pending = new Set<Attempt>();
  private readonly run = randomUUID().slice(0, 8);

  constructor(
    private readonly urls: string[],
    private readonly rooms: FaultRooms,
    private readonly options: { clientTimeoutMs: number; pollers: number },
  ) {
    this.downUntil = urls.map(() => 0);
  }

  start() {
    for (const room of [this.rooms.single, this.rooms.multi]) {
      for (const participant of room.participants) this.loops.push(this.submitter(room, participant));
    }
    for (let i = 0; i < this.options.pollers; i++) this.loops.push(this.poller(i));
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** When the oldest request still waiting for its answer was sent (now if none). */
  oldestPending(): number {
    return Math.min(Date.now(), ...[...this.pending].map((a) => a.startedAt));
  }

  /** How many requests to `instance` sent before `before` (epoch ms) still wait for their answer. */
  pendingOn(instance: number, before: number): number {
    return [...this.pending].filter((a) => a.instance === instance && a.startedAt < before).length;
  }

  /** Sends nothing more to this instance. */
  retire(instance: number) {
    this.downUntil[instance] = Number.POSITIVE_INFINITY;
  }

  /** The next instance not known to be down (all down: round-robin anyway). */
  private pick(): number {
    const now = Date.now();
    for (let tries = 0; tries < this.urls.length; tries++) {
      const i = this.turn++ % this.urls.length;
      if ((this.downUntil[i] ?? 0) <= now) return i;
    }
    return this.turn++ % this.urls.length;
  }

  private async request(
    kind: Attempt["kind"],
    client: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers = {},
  ) {
    const instance = this.pick();
    const startedAt = Date.now();
    const attempt: Attempt = { kind, client, instance, startedAt, ms: 0, status: "network", retryAfter: null };
    this.pending.add(attempt);
    try {
      const res = await fetch((this.urls[instance] as string) + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.clientTimeoutMs),
      });
      const text = await res.text();
      attempt.status = res.status;
      attempt.retryAfter = res.headers.get("retry-after");
      if (res.status >= 400) {
        const { error } = JSON.parse(text) as { error?: { code?: string; message?: string } };
        Object.assign(attempt, { code: error?.code, message: error?.message });
      }
    } catch (error) {
      attempt.status = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network";
      if (attempt.status === "network") this.downUntil[instance] = Date.now() + 1000;
    }
    attempt.ms = Date.now() - startedAt;
    this.pending.delete(attempt);
    this.attempts.push(attempt);
    return attempt;
  }

  private async submitter(room: Room, participant: { id: number; token: string }) {
    const { activityId } = room;
    const path = paths(room).submit;
    const client = `participant ${participant.id}`;
    let n = 1;
    let firstSentAt = 0;
    while (this.running) {
      firstSentAt ||= Date.now();
      const headers = { "Idempotency-Key": `${this.run}-${participant.id}-${n}` };
      const attempt = await this.request("submit", client, "POST", path, participant.token, { response_data: { n } }, headers);
      if (retriable(attempt.status)) {
        await sleep(200);
        continue;
      }
      if (isOk(attempt.status)) {
        this.acknowledged.push({ participantId: participant.id, activityId, n, firstSentAt, ackedAt: Date.now() });
      } else {
        this.refused.push({ ...attempt, n });
      }
      n++;
      firstSentAt = 0;
      await sleep(100);
    }
  }

  private async poller(i: number) {
    const { single, multi } = this.rooms;
    const since = () => new Date(Date.now() - 5000).toISOString();
    const targets = [
      () => paths(single).activity,
      () => paths(multi).session,
      () => paths(multi).feed(since(), "?limit=50"),
      () => paths(single).feed(since(), "?limit=50"),
    ];
    for (let k = i; this.running; k++) {
      const room = k % 2 ? multi : single;
      await this.request("poll", `poller ${i}`, "GET", (targets[k % targets.length] as () => string)(), room.admin);
      await sleep(100);
    }
  }
}

export { isOk };
