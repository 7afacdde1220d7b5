import { describe, expect, it } from "vitest";
import { etagOf } from "../src/etag";
import { KeptAnswers } from "../src/kept-answers";

/** The store behind poll answers kept by request and state (server behaviour: apps/server/test/poll-kept-answers.test.ts). */
const body = (text: string) => Buffer.from(text);
const keep = (kept: KeptAnswers, request: string, state: string, text: string) =>
  kept.keep(request, state, etagOf(text), body(text));

describe("KeptAnswers", () => {
  it("answers a request in a state it kept, with the ETag and body; another state or request has none", () => {
    const kept = new KeptAnswers();
    keep(kept, "/a", "1", '{"n":1}');
    expect(kept.get("/a", "1")).toMatchObject({ etag: etagOf('{"n":1}'), body: body('{"n":1}') });
    expect(kept.get("/a", "2")).toBeUndefined();
    expect(kept.get("/b", "1")).toBeUndefined();
  });

  it("keeps only the ETag of a body over maxBodyBytes", () => {
    const kept = new KeptAnswers({ maxBodyBytes: 8 });
    keep(kept, "/a", "1", "123456789");
    expect(kept.get("/a", "1")).toMatchObject({ etag: etagOf("123456789"), body: undefined });
    keep(kept, "/a", "2", "12345678");
    expect(kept.get("/a", "2")?.body).toEqual(body("12345678"));
  });

  it("drops the oldest answers, of any request, past maxBytes, and counts what it drops", () => {
    const text = "x".repeat(1000);
    const kept = new KeptAnswers({ maxBytes: 2500 });
    for (const request of ["/a", "/b", "/c"]) keep(kept, request, "1", text);
    expect(kept.get("/a", "1")).toBeUndefined();
    expect(kept.get("/b", "1")?.body).toEqual(body(text));
    expect(kept.get("/c", "1")?.body).toEqual(body(text));
    expect(kept.size).toBeLessThanOrEqual(2500);
    // Kept again in the same state: replaced, not counted twice.
    keep(kept, "/c", "1", text);
    expect(kept.get("/b", "1")).toBeDefined();
    expect(kept.get("/c", "1")?.body).toEqual(body(text));
    expect(kept.size).toBeLessThanOrEqual(2500);
  });

  it("keeps at most maxStatesPerRequest states of one request, the oldest dropped first", () => {
    const kept = new KeptAnswers({ maxStatesPerRequest: 2 });
    for (const state of ["1", "2", "3"]) keep(kept, "/a", state, state);
    expect([kept.get("/a", "1"), kept.get("/a", "2")?.etag, kept.get("/a", "3")?.etag]).toEqual([
      undefined,
      etagOf("2"),
      etagOf("3"),
    ]);
  });

  it("answers a request kept again in the same state, or in a new state past maxStatesPerRequest, when it was the request's only state", () => {
    // Dropping a request's last state dropped its map, and the new answer went into that orphan:
    // every later poll of the request missed, ran the procedure and kept again (seen in poll-cost).
    const kept = new KeptAnswers({ maxStatesPerRequest: 1 });
    keep(kept, "/a", "1", '{"n":1}');
    keep(kept, "/a", "1", '{"n":1}');
    expect(kept.get("/a", "1")?.etag).toBe(etagOf('{"n":1}'));
    keep(kept, "/a", "2", '{"n":2}');
    expect([kept.get("/a", "1"), kept.get("/a", "2")?.etag]).toEqual([undefined, etagOf('{"n":2}')]);
    expect(kept.size).toBeLessThan(1000);
  });

  it("keeps nothing with maxBytes 0", () => {
    const kept = new KeptAnswers({ maxBytes: 0 });
    keep(kept, "/a", "1", "{}");
    expect([kept.get("/a", "1"), kept.size]).toEqual([undefined, 0]);
  });
});
