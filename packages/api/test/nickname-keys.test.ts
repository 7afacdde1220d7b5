import { readFileSync } from "node:fs";
import { confusablesFile, loadConfusables, migrate, nicknameKeys, queryRows, skeleton, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

describe("the confusables data (Unicode's confusables.txt, vendored in @caja/db)", () => {
  const text = readFileSync(confusablesFile, "utf8");

  it("is Unicode's own file, of the version the keys were computed with (17.0.0)", () => {
    expect(text).toMatch(/^# Unicode Security Mechanisms for UTS #39$/m);
    // Another version changes some keys: rows stored before it keep the old ones (see nickname-keys.ts).
    expect(/^# Version: (.+)$/m.exec(text)?.[1]).toBe("17.0.0");
  });

  it("is read whole: one mapping per data line", () => {
    const dataLines = text.split("\n").filter((line) => /^[0-9A-F]/.test(line));
    expect(loadConfusables(text).size).toBe(dataLines.length);
    expect(dataLines.length).toBeGreaterThan(6000);
  });

  it("gives UTS #39 skeletons: NFD, default-ignorables dropped, prototypes, NFD", () => {
    expect(skeleton("\u{1D52D}\u{1D4B6}\u1EFF\u{1D561}\u{1D552}\u2113")).toBe(skeleton("paypal"));
    expect(skeleton("\u0410na\u034F\uFE0F")).toBe("Ana");
    expect(skeleton("m")).toBe("rn");
    // Not a case fold: that is what the lower- and upper-cased keys are for.
    expect(skeleton("Ana")).not.toBe(skeleton("ana"));
    expect(nicknameKeys("Ana").lower).toBe(nicknameKeys("\u0430NA").lower);
    expect(nicknameKeys("kate").upper).toBe(nicknameKeys("\u041Aate").upper);
  });
});

describe("migrate() fills the keys of rows from before them", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  }, 60_000);
  afterAll(async () => h?.close());

  it("computes each row's keys; of two look-alikes that joined before them, the first keeps them", async () => {
    const owner = h.caller(h.adminToken("alice"));
    const session = await owner.session.create({ title: "Before the keys" });
    const join = (nickname: string) => h.caller().participant.join({ join_code: session.join_code, nickname });
    const ana = await join("Ana");
    await join("Bob");
    const gone = await join("Gone");
    await h.caller(gone.token).participant.leave({ session_id: session.id });
    // As rows written before migration 0009: no keys, and a look-alike that joined beside "Ana".
    await h.db.db.execute(sql`update participants set nickname_skeleton = null, nickname_skeleton_lower = null,
                                 nickname_skeleton_upper = null where session_id = ${session.id}`);
    await h.db.db.execute(sql`insert into participants (session_id, nickname) values (${session.id}, ${"\u0410na"})`);

    await migrate(h.db);

    const rows = await queryRows<{ nickname: string; nickname_skeleton: string | null; nickname_skeleton_upper: string | null }>(
      h.db.db,
      sql`select nickname, nickname_skeleton, nickname_skeleton_upper from participants where session_id = ${session.id} order by id`,
    );
    expect(rows).toEqual([
      { nickname: "Ana", nickname_skeleton: "Ana", nickname_skeleton_upper: "ANA" },
      { nickname: "Bob", nickname_skeleton: "Bob", nickname_skeleton_upper: "BOB" },
      { nickname: "Gone", nickname_skeleton: "Gone", nickname_skeleton_upper: "GONE" },
      { nickname: "\u0410na", nickname_skeleton: null, nickname_skeleton_upper: null },
    ]);
    // The keys hold from now on: a third look-alike is refused.
    await expect(join("ANA")).rejects.toMatchObject({ cause: { code: "NICKNAME_TAKEN" } });
    await expect(join("B\u043Eb")).rejects.toMatchObject({ cause: { code: "NICKNAME_TAKEN" } });
    // Once "Ana" leaves, the next start gives its look-alike the keys.
    await h.caller(ana.token).participant.leave({ session_id: session.id });
    await migrate(h.db);
    const [late] = await queryRows<{ nickname_skeleton: string | null }>(
      h.db.db,
      sql`select nickname_skeleton from participants where session_id = ${session.id} and removed_at is null and nickname = ${"\u0410na"}`,
    );
    expect(late?.nickname_skeleton).toBe("Ana");
  });
});
