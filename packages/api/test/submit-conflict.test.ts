import { activities, eq, sql, type Database, type SQL } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CajaError, toWireError } from "../src/errors";
import { submitResponse } from "../src/services/submit";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * A submission validates against the activity's definition as cached, and its one statement checks that
 * the row still has it. When the owner (here or on another instance) changes the config between the two,
 * it revalidates against the row and tries again; after three changes in a row it gives up with
 * 409 CONFLICT and writes nothing. The race is made exact: the test changes the row right before each
 * submit statement reaches PostgreSQL.
 */
let h: ApiHarness;
let ref: { sessionId: number; activityId: string; participantId: number };
beforeAll(async () => {
  h = await createApiHarness();
  const admin = h.caller(h.adminToken());
  const session = await admin.session.create({ title: "Racing edits" });
  const activity = await admin.activity.create({ session_id: session.id, type: "free_vote", title: "Q", config: { rev: 0 } });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "Ada" });
  ref = { sessionId: session.id, activityId: activity.id, participantId: joined.participant.id };
}, 60_000);
afterAll(async () => h?.close());

/** The statement's own text, without its parameters. */
const textOf = (query: SQL) =>
  query.queryChunks
    .map((chunk) => (typeof chunk === "object" && chunk !== null && "value" in chunk ? String(chunk.value) : ""))
    .join("");

/** The harness's database, except that the config changes right before each of the first `times` submit statements. */
function editedBeforeEachSubmit(times: number): { db: Database; edits: () => number } {
  const db = h.db.db;
  let edits = 0;
  const editConfig = () =>
    db
      .update(activities)
      .set({ config: sql`jsonb_set(${activities.config}, '{rev}', to_jsonb((${activities.config}->>'rev')::int + 1))` })
      .where(eq(activities.id, ref.activityId));
  const editFirst = async (text: string) => {
    if (edits < times && text.includes("definition_current")) {
      edits++;
      await editConfig();
    }
  };
  // The submit statement goes as a prepared statement, through the session (queryRows' `prepared`).
  const session = new Proxy(db._.session, {
    get(target, prop, receiver) {
      if (prop !== "prepareQuery") return Reflect.get(target, prop, receiver) as unknown;
      return (...args: Parameters<typeof target.prepareQuery>) => {
        const prepared = target.prepareQuery(...args);
        return { execute: async () => (await editFirst(args[0].sql), prepared.execute()) };
      };
    },
  });
  const racing = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "_") return { ...target._, session };
      if (prop !== "execute") return Reflect.get(target, prop, receiver) as unknown;
      return async (query: SQL) => {
        await editFirst(textOf(query));
        return target.execute(query);
      };
    },
  });
  return { db: racing, edits: () => edits };
}

const submit = (db: Database, data: unknown) =>
  submitResponse(
    { ...h.deps, db },
    { sessionId: ref.sessionId, activityId: ref.activityId, participantId: ref.participantId, data },
  );

const stored = async () =>
  (await h.caller(h.adminToken()).response.list({ session_id: ref.sessionId, activity_id: ref.activityId })).items;

describe("a submission racing edits of its activity", () => {
  it("revalidates against the changed row and stores the answer when the edits stop within three tries", async () => {
    const race = editedBeforeEachSubmit(2);
    const { response, created } = await submit(race.db, { choice: "a" });
    expect(race.edits()).toBe(2);
    expect(created).toBe(true);
    expect((await stored()).map((r) => [r.id, r.response_data])).toEqual([[response.id, { choice: "a" }]]);
  });

  it("answers 409 CONFLICT after three changes in a row, and writes nothing", async () => {
    const race = editedBeforeEachSubmit(3);
    const error = await submit(race.db, { choice: "b" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(race.edits()).toBe(3);
    expect(error).toBeInstanceOf(CajaError);
    expect(toWireError(error)).toEqual({
      status: 409,
      body: { error: { code: "CONFLICT", message: expect.any(String), details: { activity_id: ref.activityId } } },
      retryAfter: undefined,
    });
    // The first test's answer stands; this one was never applied.
    expect((await stored()).map((r) => r.response_data)).toEqual([{ choice: "a" }]);
  });
});
