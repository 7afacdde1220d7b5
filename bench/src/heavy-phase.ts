import type { Pool } from "undici";
import { createPool, expectJson, paths } from "./http";
import { rssMbOf } from "./resources";
import type { Measured } from "./servers";
import { joinAll } from "./setup";
import { Samples, type ErrorLedger, type LatencySummary } from "./stats";

/**
 * The heavy room of the security review (issue 18, item 10): participants who each gave many
 * long open-text answers (10 x 100 x 4,000 characters by default), then a burst of results
 * polls and of tRPC batches of 50 `activity.results` calls, then batches of 50 feed pages of
 * 1,000 (which the batch budget refuses), with the server's RSS before, at its peak during the
 * bursts (sampled every 100 ms) and after. Before results and batches were bounded, one results
 * body was 4.1 MB and a batch of 50 answered 206 MB; the server passed 1 GB.
 */
export interface HeavyOptions {
  participants: number;
  answersEach: number;
  characters: number;
  /** Results polls in the first burst, 32 in flight. */
  polls: number;
  /** Batches of 50 results calls in the second, 4 in flight. */
  batches: number;
  /** Batches of 50 feed pages of 1,000 in the third, one at a time. */
  feedBatches: number;
}

export const defaultHeavyOptions: HeavyOptions = {
  participants: 10,
  answersEach: 100,
  characters: 4000,
  polls: 2000,
  batches: 20,
  feedBatches: 4,
};

interface Burst {
  requests: number;
  statuses: Record<string, number>;
  /** Bytes of the largest body answered. */
  bodyBytes: number;
  latencyMs: LatencySummary;
}

export interface HeavyPhase {
  options: HeavyOptions;
  setupSeconds: number;
  results: Burst;
  resultsBatches: Burst;
  feedBatches: Burst;
  /** The server process (and its workers), in MB. */
  rssMb: { before: number; peak: number; after: number };
}

/** One request whose body is counted as it streams, never held: a 200 MB answer must not sink the generator. */
async function sized(pool: Pool, ledger: ErrorLedger, path: string, token: string) {
  const started = performance.now();
  const res = await pool.request({ method: "GET", path, headers: { authorization: `Bearer ${token}` } });
  let bytes = 0;
  let head = "";
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (head.length < 300) head += chunk.toString("utf8", 0, 300);
  }
  ledger.note(`GET ${path.slice(0, 80)}`, res.statusCode, head);
  return { status: res.statusCode, bytes, ms: performance.now() - started };
}

async function burst(count: number, inFlight: number, one: (i: number) => ReturnType<typeof sized>): Promise<Burst> {
  const latency = new Samples();
  const statuses: Record<string, number> = {};
  let bodyBytes = 0;
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const answer = await one(next++);
      latency.add(answer.ms);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      bodyBytes = Math.max(bodyBytes, answer.bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { requests: count, statuses, bodyBytes, latencyMs: latency.summary() };
}

const batchPath = (name: string, inputs: unknown[]) =>
  `/trpc/${inputs.map(() => name).join(",")}?batch=1&input=` +
  encodeURIComponent(JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input]))));

export async function runHeavyPhase(
  server: Measured,
  adminToken: string,
  ledger: ErrorLedger,
  log: (line: string) => void,
  o: HeavyOptions = defaultHeavyOptions,
): Promise<HeavyPhase> {
  const pool = createPool(server.url, 32);
  try {
    const setupStart = performance.now();
    const token = adminToken;
    const session = await expectJson<{ id: number; join_code: string }>(pool, ledger, 201, "POST", paths.sessions, {
      token,
      body: { title: "Bench heavy room" },
    });
    const sessionId = session.body.id;
    const activity = await expectJson<{ id: string }>(pool, ledger, 201, "POST", paths.activities(sessionId), {
      token,
      body: { type: "open_text", title: "Feedback", config: { question: "Feedback?" } },
    });
    const activityId = activity.body.id;
    await expectJson(pool, ledger, 200, "PATCH", paths.sessionState(sessionId), { token, body: { status: "active" } });
    await expectJson(pool, ledger, 200, "PATCH", paths.activityState(activityId), { token, body: { status: "active" } });
    const people = await joinAll(pool, ledger, session.body.join_code, o.participants, 16, "heavy");
    log(`heavy room: ${o.participants} participants x ${o.answersEach} answers of ${o.characters} characters`);
    await Promise.all(
      people.map(async (p, n) => {
        for (let i = 0; i < o.answersEach; i++) {
          const text = `${n}-${i} `.padEnd(o.characters, "x");
          await expectJson(pool, ledger, 201, "POST", paths.submit(sessionId, activityId), {
            token: p.token,
            body: { response_data: { text } },
          });
        }
      }),
    );
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const before = rssMbOf(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMbOf(server.pid))), 100);
    const ref = { session_id: sessionId, activity_id: activityId };
    const tokens = [token, ...people.map((p) => p.token)];
    let results: Burst;
    let resultsBatches: Burst;
    let feedBatches: Burst;
    try {
      log(`heavy room: ${o.polls} results polls, ${o.batches} batches of 50 results calls, ${o.feedBatches} of 50 feed pages`);
      const resultsPath = paths.activityResults(sessionId, activityId);
      results = await burst(o.polls, 32, (i) => sized(pool, ledger, resultsPath, tokens[i % tokens.length] as string));
      const fifty = batchPath("activity.results", Array(50).fill(ref));
      resultsBatches = await burst(o.batches, 4, () => sized(pool, ledger, fifty, token));
      const feeds = batchPath("response.feed", Array(50).fill({ ...ref, timestamp: "2000-01-01T00:00:00Z", limit: 1000 }));
      feedBatches = await burst(o.feedBatches, 1, () => sized(pool, ledger, feeds, token));
      peak = Math.max(peak, rssMbOf(server.pid));
    } finally {
      clearInterval(sampler);
    }
    // Settled: what the bursts left behind once their answers are gone (GC runs on its own schedule).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return {
      options: o,
      setupSeconds,
      results,
      resultsBatches,
      feedBatches,
      rssMb: { before, peak, after: rssMbOf(server.pid) },
    };
  } finally {
    await pool.close();
  }
}
