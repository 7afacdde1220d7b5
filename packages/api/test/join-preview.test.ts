import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller, createContext } from "../src/index";
import { createApiHarness, type ApiHarness } from "./harness";

let h: ApiHarness;
const admin = () => h.caller(h.adminToken("alice"));
const anyone = () => h.caller();

beforeAll(async () => {
  h = await createApiHarness({ limits: { join_preview: { limit: 3, windowMs: 60_000 } } });
}, 60_000);
afterAll(async () => h?.close());

// Every call here comes from one address unless it says otherwise: spread them so the
// 3-per-minute budget of the limit test below is the only one that runs out.
let address = 0;
const from = (ip = `198.51.100.${++address}`) => createCaller(createContext({ headers: new Headers(), deps: h.deps, ip }));

async function newSession(input: { max_participants?: number; joins_locked?: boolean } = {}) {
  return admin().session.create({ title: "Town hall", ...input });
}

describe("participant.preview", () => {
  it("answers the title, the status and whether joins are accepted, and nothing else", async () => {
    const session = await newSession();
    const preview = await from().participant.preview({ join_code: session.join_code.toLowerCase() });
    expect(preview).toStrictEqual({ title: "Town hall", status: "draft", accepts_joins: true });
  });

  it("answers 404 NOT_FOUND for an unknown code, like join does", async () => {
    await expect(from().participant.preview({ join_code: "NOPE99" })).rejects.toMatchObject({
      cause: { code: "NOT_FOUND", details: { field: "join_code", reason: "unknown" } },
    });
  });

  it("follows the session: locked, full, then reopened, completed (each write invalidates the cached preview)", async () => {
    const session = await newSession({ max_participants: 1 });
    const code = session.join_code;
    const preview = () => from().participant.preview({ join_code: code });
    expect(await preview()).toMatchObject({ accepts_joins: true });

    await admin().session.update({ session_id: session.id, joins_locked: true, title: "Locked hall" });
    expect(await preview()).toStrictEqual({ title: "Locked hall", status: "draft", accepts_joins: false });
    await admin().session.update({ session_id: session.id, joins_locked: false });
    expect(await preview()).toMatchObject({ accepts_joins: true });

    const joined = await anyone().participant.join({ join_code: code, nickname: "Only" });
    expect(await preview()).toMatchObject({ accepts_joins: false });
    await admin().participant.remove({ session_id: session.id, participant_id: joined.participant.id });
    expect(await preview()).toMatchObject({ accepts_joins: true });

    await admin().session.setStatus({ session_id: session.id, status: "active" });
    expect(await preview()).toMatchObject({ status: "active", accepts_joins: true });
    await admin().session.setStatus({ session_id: session.id, status: "completed" });
    expect(await preview()).toStrictEqual({ title: "Locked hall", status: "completed", accepts_joins: false });

    await admin().session.delete({ session_id: session.id });
    await expect(preview()).rejects.toMatchObject({ cause: { code: "NOT_FOUND" } });
  });
});

describe("participant.nicknameAvailability", () => {
  it("finds a taken nickname ignoring case and after join's normalisation, and answers the normalised form", async () => {
    const session = await newSession();
    await anyone().participant.join({ join_code: session.join_code, nickname: "Ana" });
    const check = (nickname: string) => from().participant.nicknameAvailability({ join_code: session.join_code, nickname });

    expect(await check("Ana")).toStrictEqual({ nickname: "Ana", available: false });
    expect(await check("aNA")).toStrictEqual({ nickname: "aNA", available: false });
    expect(await check("A\u200bna")).toStrictEqual({ nickname: "Ana", available: false });
    expect(await check("  \uff21na ")).toStrictEqual({ nickname: "Ana", available: false });
    expect(await check("Anna")).toStrictEqual({ nickname: "Anna", available: true });
    // What the check says, join does.
    await expect(anyone().participant.join({ join_code: session.join_code, nickname: "A\u200bNA" })).rejects.toMatchObject({
      cause: { code: "NICKNAME_TAKEN" },
    });
  });

  it("frees the nickname of a kicked or departed participant, as join does", async () => {
    const session = await newSession();
    const check = (nickname: string) => from().participant.nicknameAvailability({ join_code: session.join_code, nickname });
    const kicked = await anyone().participant.join({ join_code: session.join_code, nickname: "Kim" });
    const leaving = await anyone().participant.join({ join_code: session.join_code, nickname: "Lou" });
    expect(await check("kim")).toMatchObject({ available: false });
    expect(await check("lou")).toMatchObject({ available: false });

    await admin().participant.remove({ session_id: session.id, participant_id: kicked.participant.id });
    await h.caller(leaving.token).participant.leave({ session_id: session.id });
    expect(await check("kim")).toMatchObject({ available: true });
    expect(await check("lou")).toMatchObject({ available: true });
    await expect(anyone().participant.join({ join_code: session.join_code, nickname: "KIM" })).resolves.toBeDefined();
  });

  it("refuses an invalid nickname with 400 naming the field, and an unknown code with 404", async () => {
    const session = await newSession();
    for (const nickname of ["", "\u200b\u200b", "x".repeat(51)]) {
      await expect(from().participant.nicknameAvailability({ join_code: session.join_code, nickname })).rejects.toMatchObject({
        cause: { code: "VALIDATION_ERROR", details: { field: "nickname" } },
      });
    }
    await expect(from().participant.nicknameAvailability({ join_code: "NOPE99", nickname: "Ana" })).rejects.toMatchObject({
      cause: { code: "NOT_FOUND" },
    });
  });
});

describe("per-address limit (join_preview)", () => {
  it("limits previews and nickname checks together per address; another address is unaffected", async () => {
    const session = await newSession();
    const ip = "203.0.113.77";
    const outcomes: string[] = [];
    for (const call of [
      () => from(ip).participant.preview({ join_code: session.join_code }),
      () => from(ip).participant.nicknameAvailability({ join_code: session.join_code, nickname: "Zed" }),
      () => from(ip).participant.preview({ join_code: "NOPE99" }),
      () => from(ip).participant.preview({ join_code: session.join_code }),
      () => from(ip).participant.nicknameAvailability({ join_code: session.join_code, nickname: "Zed" }),
    ]) {
      outcomes.push(
        await call().then(
          () => "ok",
          (error: { cause?: { code?: string } }) => error.cause?.code ?? "?",
        ),
      );
    }
    expect(outcomes).toEqual(["ok", "ok", "NOT_FOUND", "RATE_LIMITED", "RATE_LIMITED"]);
    await expect(from("203.0.113.78").participant.preview({ join_code: session.join_code })).resolves.toBeDefined();
    // Joins keep their own budget: a join screen's checks never spend them.
    await expect(from(ip).participant.join({ join_code: session.join_code, nickname: "Zed" })).resolves.toBeDefined();
  });
});
