import { describe, expect, it } from "vitest";
import { mergeFeedItems } from "../src/index";

const item = (id: string, at: string, text = id) => ({ id, updated_at: `2026-01-01T10:00:0${at}.000Z`, text });
const tombstone = (id: string, at: string) => ({ id, updated_at: `2026-01-01T10:00:0${at}.000Z`, deleted: true as const });

describe("mergeFeedItems with tombstones", () => {
  it("drops the id a tombstone names, keeping the others in order", () => {
    const known = [item("a", "1"), item("b", "2"), item("c", "3")];
    expect(mergeFeedItems(known, [tombstone("b", "4")])).toEqual([item("a", "1"), item("c", "3")]);
  });

  it("ignores a tombstone for an id it never had, returning the same list", () => {
    const known = [item("a", "1")];
    expect(mergeFeedItems(known, [tombstone("zz", "2")])).toBe(known);
  });

  it("applies a page in order: an entry approved again after its removal comes back", () => {
    const merged = mergeFeedItems([item("a", "1")], [tombstone("a", "2"), item("b", "3"), item("a", "4", "back")]);
    expect(merged).toEqual([item("b", "3"), item("a", "4", "back")]);
  });
});
