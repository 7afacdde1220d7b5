import { randomUUID } from "node:crypto";
import { startRedisBridge, type RedisBridge } from "@caja/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ReadThroughCache, createCaller, createContext, createSharedCache, createUpstashRedis, type ApiDeps } from "../src/index";
import { cacheKeys } from "../src/services/cache-keys";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, recomputed, storedResponses, type Room } from "./results-fixtures";

/**
 * Results are recomputed from the rows and cached with the status routes' bound: under many
 * participants voting and changing votes at once through the real submit path, on two
 * instances sharing Redis, the cached answer must equal a recomputation from a fresh SELECT
 * once writes stop and the bound has elapsed, and the database work must not grow with pollers.
 */

/** Counts the loader runs (real database reads) per key, so the test can see the bound. */
class CountingCache extends ReadThroughCache {
  readonly loadsByKey = new Map<string, number>();
  override get<T>(key: string, load: () => Promise<T>): Promise<T> {
    return super.get(key, () => {
      this.loadsByKey.set(key, (this.loadsByKey.get(key) ?? 0) + 1);
      return load();
    });
  }
}

const PARTICIPANTS = 100;
const OPTIONS = ["red", "green", "blue", "black"];

let h: ApiHarness;
let bridge: RedisBridge;
let room: Room;
let tokens: string[];
let instances: Array<{ cache: CountingCache; deps: ApiDeps }>;

beforeAll(async () => {
  h = await createApiHarness();
  bridge = await startRedisBridge();
  const prefix = `results-${randomUUID()}:`;
  // Two instances with the production cache settings (the defaults) over one shared Redis.
  instances = [0, 1].map(() => {
    const cache = new CountingCache({
      shared: createSharedCache(createUpstashRedis({ url: bridge.url, token: bridge.token }), prefix),
    });
    return { cache, deps: { ...h.deps, cache } };
  });
  room = await openRoom(h, PARTICIPANTS);
  tokens = room.people.map((p) => p.token);
}, 120_000);
afterAll(async () => {
  await h?.close();
  await bridge?.close().catch(() => undefined);
});

const callerOn = (instance: number, token: string) => {
  const deps = instances[instance % 2]?.deps ?? h.deps;
  return createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${token}` }), deps, ip: "127.0.0.1" }));
};
const ownerOn = (instance: number) => callerOn(instance, h.adminToken("owner"));
const pick = () => OPTIONS.filter(() => Math.random() < 0.5).slice(0, 2);

/** Waits until both instances answer the recomputation (the bound has elapsed); gives the answers. */
async function converged(activityId: string) {
  const want = await recomputed(h, activityId);
  const rows = await storedResponses(h, activityId);
  return vi.waitFor(
    async () => {
      const answers = await Promise.all(
        [0, 1].map((i) => ownerOn(i).activity.results({ session_id: room.sessionId, activity_id: activityId })),
      );
      for (const answer of answers) {
        expect(answer.results).toEqual(want);
        expect(answer.response_count).toBe(rows.length);
      }
      return answers;
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe("activity.results under concurrent votes (PostgreSQL, two instances, shared Redis)", () => {
  it(`${PARTICIPANTS} participants voting and changing votes at once: the result equals a fresh recomputation`, async () => {
    const activityId = await room.activity("poll", { question: "Colour?", options: OPTIONS, allow_multiple: true });
    let writing = true;
    // Pollers on both instances read through the cache all along.
    const pollers = [0, 1, 2, 3].map(async (i) => {
      while (writing) {
        await callerOn(i, tokens[i] ?? "").activity.results({ session_id: room.sessionId, activity_id: activityId });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    const voter = async (index: number) => {
      for (let round = 0; round < 4; round++) {
        const choice = pick();
        if (choice.length === 0) continue;
        await callerOn(index + round, tokens[index] ?? "").response.submit({
          session_id: room.sessionId,
          activity_id: activityId,
          response_data: { selected_options: choice },
        });
      }
    };
    await Promise.all(room.people.map((_, index) => voter(index)));
    writing = false;
    await Promise.all(pollers);

    const [answer] = await converged(activityId);
    const rows = await storedResponses(h, activityId);
    expect(answer?.results).toMatchObject({ total_voters: rows.length });
    expect(rows.length).toBeGreaterThan(PARTICIPANTS * 0.8);
  }, 120_000);

  it("many pollers at once cost one database read per instance per refresh, not one per poll", async () => {
    const activityId = await room.activity("rating", { question: "Mood", min: 1, max: 5 });
    await Promise.all(
      room.people.slice(0, 20).map((_, i) =>
        callerOn(i, tokens[i] ?? "").response.submit({
          session_id: room.sessionId,
          activity_id: activityId,
          response_data: { value: (i % 5) + 1 },
        }),
      ),
    );
    await converged(activityId);
    const key = cacheKeys.activityResults(activityId);
    const before = instances.map((i) => i.cache.loadsByKey.get(key) ?? 0);
    const started = Date.now();
    await Promise.all(
      tokens.flatMap((token, i) =>
        [0, 1, 2].map(() => callerOn(i, token).activity.results({ session_id: room.sessionId, activity_id: activityId })),
      ),
    );
    const elapsed = Date.now() - started;
    // 300 polls; each instance may reload once per local TTL (200 ms) while they run.
    const bound = Math.ceil(elapsed / 200) + 1;
    instances.forEach((instance, i) => {
      expect((instance.cache.loadsByKey.get(key) ?? 0) - (before[i] ?? 0)).toBeLessThanOrEqual(bound);
    });
  }, 60_000);

  it("property: any sequence of concurrent vote batches ends equal to the recomputation", async () => {
    const activityId = await room.activity("poll", { question: "One?", options: OPTIONS });
    const vote = fc.record({ who: fc.integer({ min: 0, max: 29 }), option: fc.constantFrom(...OPTIONS), instance: fc.nat(1) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(vote, { minLength: 1, maxLength: 15 }), { minLength: 1, maxLength: 4 }),
        async (batches) => {
          for (const batch of batches) {
            // A batch runs concurrently; the same participant may appear twice in it (the later received answer stands).
            await Promise.all(
              batch.map((v) =>
                callerOn(v.instance, tokens[v.who] ?? "")
                  .response.submit({
                    session_id: room.sessionId,
                    activity_id: activityId,
                    response_data: { selected_options: [v.option] },
                  })
                  .catch((error: unknown) => {
                    // Two answers of one participant in flight: the older one may be refused, which is the rule.
                    if (!(error instanceof Error) || !/newer answer/.test(error.message)) throw error;
                  }),
              ),
            );
          }
          await converged(activityId);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
