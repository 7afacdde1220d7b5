import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Issue 18, item 11: nicknames are compared as Unicode's security mechanisms say (UTS #39
 * confusable skeletons, default-ignorable code points dropped), ignoring case, by join, by the
 * nickname check and by the database's unique indexes; they still display as typed.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

async function session() {
  const created = await h.caller(h.adminToken("alice")).session.create({ title: "Names" });
  const join = (nickname: string) => h.caller().participant.join({ join_code: created.join_code, nickname });
  const check = (nickname: string) => h.caller().participant.nicknameAvailability({ join_code: created.join_code, nickname });
  const outcome = (nickname: string) =>
    join(nickname).then(
      (joined) => joined.participant.nickname,
      (error: { cause?: { code?: string }; message?: string }) => error.cause?.code ?? error.message ?? "?",
    );
  return { ...created, join, check, outcome };
}

const lookalikes: Array<[string, string, string]> = [
  ["Ana", "\u0410na", "Cyrillic capital A"],
  ["Ana", "Ana\u034F", "combining grapheme joiner (default ignorable)"],
  ["Ana", "Ana\uFE0F", "variation selector 16 (default ignorable)"],
  ["Ana", "\u0430na", "Cyrillic small a, another case"],
  ["Kate", "\u041Aate", "Cyrillic capital KA"],
  ["kate", "\u041Aate", "Cyrillic capital KA beside a small k"],
  ["Hi", "\u041Di", "Cyrillic capital EN"],
  ["Ivan", "lvan", "capital I and small L"],
  ["Kim", "Kirn", "rn and m"],
  ["kim", "Kirn", "rn and m, another case"],
  ["Bob", "B\u043Eb", "Cyrillic small o"],
  ["ana", "ANA", "case alone"],
];

describe("nickname look-alikes", () => {
  it.each(lookalikes)(
    "%s then %s (%s): the second join is 409 NICKNAME_TAKEN, and the check says taken",
    async (first, second) => {
      const s = await session();
      await s.join(first);
      expect(await s.check(second)).toMatchObject({ available: false });
      expect(await s.outcome(second)).toBe("NICKNAME_TAKEN");
    },
  );

  it("nicknames that only look different enough stay free of each other", async () => {
    const s = await session();
    for (const nickname of ["Ana", "Anna", "Bill", "Bili", "Ali", "All", "Zoë", "Zoe", "Kim", "Tim"]) {
      expect(await s.outcome(nickname)).toBe(nickname);
    }
  });

  it("display as typed: the stored nickname keeps its own letters and marks", async () => {
    const s = await session();
    expect(await s.outcome("\u0410na\uFE0F")).toBe("\u0410na\uFE0F");
    const listed = await h.caller(h.adminToken("alice")).participant.list({ session_id: s.id, limit: 10, offset: 0 });
    expect(listed.items.map((p) => p.nickname)).toEqual(["\u0410na\uFE0F"]);
  });

  it("refuses a nickname that is nothing but default-ignorable code points: 400 at nickname", async () => {
    const s = await session();
    await expect(s.join("\u034F\uFE0F")).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "nickname" } },
    });
  });

  it("a removed participant's nickname frees its look-alikes too", async () => {
    const s = await session();
    const first = await s.join("Ana");
    await h.caller(first.token).participant.leave({ session_id: s.id });
    expect(await s.check("\u0410na")).toMatchObject({ available: true });
    expect(await s.outcome("\u0410na")).toBe("\u0410na");
  });

  it("concurrent joins with look-alike nicknames: the database lets exactly one in", async () => {
    const s = await session();
    const variants = ["Ana", "\u0410na", "Ana\u034F", "Ana\uFE0F", "\u0430na", "ANA", "A\u200Bna", "\uFF21na"];
    const outcomes = await Promise.all(variants.map((nickname) => s.outcome(nickname)));
    expect(outcomes.filter((o) => o === "NICKNAME_TAKEN")).toHaveLength(variants.length - 1);
  });
});
