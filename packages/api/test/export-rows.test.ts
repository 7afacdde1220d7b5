import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@caja/db";
import { exportResponses, type ExportedResponse } from "../src/index";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * The export's row source on its own (the CSV over HTTP: apps/server/test/export.test.ts):
 * pages by keyset, every row once, and nothing read after the consumer stops.
 */

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => h?.close());

/** An owner's session with one active activity of an unregistered type and `count` responses inserted directly. */
async function sessionWithResponses(count: number, sameTimestampEvery: number) {
  const alice = h.caller(h.adminToken("alice"));
  const session = await alice.session.create({ title: "Export" });
  const activity = await alice.activity.create({ session_id: session.id, type: "custom", title: "Board", config: {} });
  await alice.session.setStatus({ session_id: session.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "Pat" });
  // `sameTimestampEvery` rows share each created_at: ties that the id must order.
  await h.deps.db.execute(sql`
    insert into user_responses (session_id, activity_id, participant_id, response_data, single_answer, created_at, updated_at)
    select ${session.id}, ${activity.id}, ${joined.participant.id}, to_jsonb(g), false,
           timestamptz '2026-01-01T00:00:00Z' + (g / ${sameTimestampEvery}) * interval '1 millisecond',
           timestamptz '2026-01-01T00:00:00Z'
    from generate_series(1, ${count}) g`);
  return { sessionId: session.id, activityId: activity.id };
}

/** Runs the export with a query counter, collecting at most `take` rows. */
async function collect(scope: { sessionId: number; activityId: string | null }, pageSize: number, take = Infinity) {
  let queries = 0;
  const rows: ExportedResponse[] = [];
  const source = exportResponses(h.deps, scope, {
    pageSize,
    runQuery: (query) => {
      queries++;
      return query(h.deps.db);
    },
  });
  for await (const row of source) {
    rows.push(row);
    if (rows.length >= take) break;
  }
  return { rows, queries };
}

describe("exportResponses", () => {
  it.each([
    [1, 1],
    [3, 5],
    [7, 10],
    [50, 4],
  ])("pages of %i, %i rows per timestamp: every row exactly once, in (created_at, id) order", async (pageSize, ties) => {
    const scope = await sessionWithResponses(23, ties);
    const { rows, queries } = await collect({ sessionId: scope.sessionId, activityId: null }, pageSize);
    expect(rows.map((r) => Number(r.answer)).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.responseId)).size).toBe(23);
    const keys = rows.map((r) => `${r.createdAt.toISOString()} ${r.responseId}`);
    expect(keys).toEqual([...keys].sort());
    // One query for the activities, then one per page (and one more when the last page is full).
    expect(queries).toBe(1 + Math.floor(23 / pageSize) + 1);
  });

  it("reads no further page once the consumer stops", async () => {
    const scope = await sessionWithResponses(40, 1);
    const { rows, queries } = await collect(scope, 10, 15);
    expect(rows).toHaveLength(15);
    expect(queries).toBe(1 + 2);
  });

  it("an activity of another session yields nothing", async () => {
    const mine = await sessionWithResponses(3, 1);
    const other = await sessionWithResponses(3, 1);
    const { rows } = await collect({ sessionId: mine.sessionId, activityId: other.activityId }, 10);
    expect(rows).toEqual([]);
  });
});
