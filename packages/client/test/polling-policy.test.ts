import { describe, expect, it } from "vitest";
import { mergeFeedItems, pollIntervalFor, pollRetryDelay, retryAfterHeaderMs, shouldRetryPoll } from "../src/index";

const rateLimited = { data: { code: "RATE_LIMITED", httpStatus: 429, retryAfter: 4 } };
const notFound = { data: { code: "NOT_FOUND", httpStatus: 404 } };
const unavailable = { data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } };
const networkFailure = new TypeError("fetch failed");

describe("pollIntervalFor", () => {
  it("uses the server's poll_interval_ms, a fixed interval when given, else 2000", () => {
    expect(pollIntervalFor({ poll_interval_ms: 500 })).toBe(500);
    expect(pollIntervalFor({ poll_interval_ms: 500 }, { intervalMs: 100 })).toBe(100);
    expect(pollIntervalFor(undefined)).toBe(2000);
    expect(pollIntervalFor(undefined, { fallbackIntervalMs: 750 })).toBe(750);
  });
});

describe("pollRetryDelay", () => {
  it("waits exactly what Retry-After asked, even beyond the backoff cap", () => {
    expect(pollRetryDelay(1, rateLimited)).toBe(4000);
    expect(pollRetryDelay(1, rateLimited, { maxBackoffMs: 1000 })).toBe(4000);
  });

  it("backs off exponentially with jitter, up to the cap", () => {
    const top = () => 1;
    const bottom = () => 0;
    expect(pollRetryDelay(1, unavailable, { intervalMs: 1000 }, top)).toBe(1000);
    expect(pollRetryDelay(3, unavailable, { intervalMs: 1000 }, top)).toBe(4000);
    expect(pollRetryDelay(3, unavailable, { intervalMs: 1000 }, bottom)).toBe(2000);
    expect(pollRetryDelay(20, networkFailure, { intervalMs: 1000, maxBackoffMs: 30_000 }, top)).toBe(30_000);
  });
});

describe("shouldRetryPoll", () => {
  it("retries what waiting can fix, not what it cannot", () => {
    expect([rateLimited, unavailable, networkFailure].map(shouldRetryPoll)).toEqual([true, true, true]);
    expect(shouldRetryPoll(notFound)).toBe(false);
  });
});

describe("retryAfterHeaderMs", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(retryAfterHeaderMs("3")).toBe(3000);
    expect(retryAfterHeaderMs("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5000);
    expect(retryAfterHeaderMs(null)).toBeUndefined();
    expect(retryAfterHeaderMs("soon")).toBeUndefined();
  });
});

describe("mergeFeedItems", () => {
  const item = (id: string, updated_at: string, value: string) => ({ id, updated_at, value });

  it("appends new ids and replaces a known id in place with its newer version", () => {
    const current = [item("a", "2025-01-01T00:00:00.000Z", "a1"), item("b", "2025-01-01T00:00:01.000Z", "b1")];
    const merged = mergeFeedItems(current, [
      item("c", "2025-01-01T00:00:02.000Z", "c1"),
      item("a", "2025-01-01T00:00:03.000Z", "a2"),
    ]);
    expect(merged.map((i) => i.value)).toEqual(["a2", "b1", "c1"]);
  });

  it("keeps a newer version over an older one delivered late, and returns the same list for an empty page", () => {
    const current = [item("a", "2025-01-01T00:00:05.000Z", "a2")];
    expect(mergeFeedItems(current, [item("a", "2025-01-01T00:00:01.000Z", "a1")]).map((i) => i.value)).toEqual(["a2"]);
    expect(mergeFeedItems(current, [])).toBe(current);
  });
});
