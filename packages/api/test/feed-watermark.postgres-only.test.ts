import { underlyingDatabase, type Database } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedWatermarkMs } from "../src/services/feed-watermark";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Polls of one instance share a watermark read begun within 20 ms (feed-watermark.ts). Each
 * request reads through a view of its own, bound to its deadline (`DbHandle.withDeadline`):
 * the sharing is per database, not per view.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => h?.close());

/** A request's view of the database, counting the statements sent through it. */
function requestView(): { db: Database; statements: () => number } {
  let statements = 0;
  const view = h.db.withDeadline(Date.now() + 5000);
  const db = new Proxy(view, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== "execute" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        statements++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db, statements: () => statements };
}

describe("the feed watermark", () => {
  it("is read once for concurrent requests on one database, each through its own deadline's view", async () => {
    const [a, b] = [requestView(), requestView()];
    expect(underlyingDatabase(a.db)).toBe(h.db.db);
    expect(underlyingDatabase(b.db)).toBe(h.db.db);
    expect(a.db).not.toBe(b.db);
    // Past the reuse window of any read before this test.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [first, second] = await Promise.all([feedWatermarkMs(a.db), feedWatermarkMs(b.db)]);
    expect(second).toBe(first);
    expect(a.statements() + b.statements()).toBe(1);
  });
});
