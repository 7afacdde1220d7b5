import type { AnyRouter } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TokenService,
  accessDescriptions,
  accessRules,
  appRouter,
  toWireError,
  type AccessRule,
  type CajaMeta,
  type ErrorCode,
} from "../src/index";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * The access matrix, generated from the router: every procedure x every kind of
 * caller, with the outcome its declared `meta.access` rule promises. A procedure
 * added without a fixture below fails here; one without a rule does not compile.
 */

interface ProcedureDef {
  _def: { meta?: CajaMeta; type: "query" | "mutation" | "subscription"; inputs: unknown[] };
}

const procedures = Object.entries((appRouter as AnyRouter)._def.procedures as Record<string, ProcedureDef>);

const callerKinds = [
  "no token",
  "malformed token",
  "expired token",
  "wrong signature",
  "alg none",
  "participant of another session",
  "participant of the session",
  "another admin",
  "owning admin",
] as const;
type CallerKind = (typeof callerKinds)[number];

type Outcome = "ok" | 401 | 403 | 404;
/** What a call really got: "ok", or the status of any refusal (not only an expected one). */
type Observed = "ok" | number;

const unauthenticated = {
  "no token": 401,
  "malformed token": 401,
  "expired token": 401,
  "wrong signature": 401,
  "alg none": 401,
} as const satisfies Partial<Record<CallerKind, Outcome>>;

/** What each rule promises each caller, on the session's own active activity. */
const expected: Record<AccessRule, Record<CallerKind, Outcome>> = {
  public: {
    "no token": "ok",
    "malformed token": "ok",
    "expired token": "ok",
    "wrong signature": "ok",
    "alg none": "ok",
    "participant of another session": "ok",
    "participant of the session": "ok",
    "another admin": "ok",
    "owning admin": "ok",
  },
  admin: {
    ...unauthenticated,
    "participant of another session": 403,
    "participant of the session": 403,
    "another admin": "ok",
    "owning admin": "ok",
  },
  owner: {
    ...unauthenticated,
    "participant of another session": 403,
    "participant of the session": 403,
    "another admin": 403,
    "owning admin": "ok",
  },
  member: {
    ...unauthenticated,
    "participant of another session": 403,
    "participant of the session": "ok",
    "another admin": 403,
    "owning admin": "ok",
  },
  participant: {
    ...unauthenticated,
    "participant of another session": 403,
    "participant of the session": "ok",
    "another admin": 403,
    "owning admin": 403,
  },
};

const codeOf: Record<Exclude<Outcome, "ok">, ErrorCode> = { 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND" };

interface World {
  sessionId: number;
  joinCode: string;
  activityId: string;
  draftId: string;
  /** An active activity of another session of the same owner. */
  elsewhereActivityId: string;
  /** A session of the owner made for one destructive call. */
  freshSession(): Promise<number>;
  /** A draft activity of the session made for one destructive call. */
  freshActivity(): Promise<string>;
  /** A participant of the session joined for one destructive call: its id and token. */
  freshParticipant(): Promise<{ id: number; token: string }>;
  /** A question a fresh participant asks on the session's Q&A (moderated): its id, approved or left pending. */
  othersEntry(approved: boolean): Promise<string>;
}

type Input = Record<string, unknown>;

let nickname = 0;

/** A valid input per procedure, on the world's session and its active activity. */
const fixtures: Record<string, (w: World) => Input | Promise<Input>> = {
  "session.create": () => ({ title: "Another" }),
  "session.list": () => ({}),
  "session.get": (w) => ({ session_id: w.sessionId }),
  "session.update": (w) => ({ session_id: w.sessionId, description: "Renamed" }),
  "session.delete": async (w) => ({ session_id: await w.freshSession() }),
  "session.setStatus": (w) => ({ session_id: w.sessionId, status: "active" }),
  "session.status": (w) => ({ session_id: w.sessionId }),
  "session.leaderboard": (w) => ({ session_id: w.sessionId }),
  "activityType.list": () => ({}),
  "participant.join": (w) => ({ join_code: w.joinCode, nickname: `walk-in ${++nickname}` }),
  "participant.preview": (w) => ({ join_code: w.joinCode }),
  "participant.nicknameAvailability": (w) => ({ join_code: w.joinCode, nickname: "Nobody" }),
  "participant.list": (w) => ({ session_id: w.sessionId }),
  "participant.remove": async (w) => ({ session_id: w.sessionId, participant_id: (await w.freshParticipant()).id }),
  "participant.leave": (w) => ({ session_id: w.sessionId }),
  "activity.create": (w) => ({ session_id: w.sessionId, type: "custom", title: "Added", config: {} }),
  "activity.list": (w) => ({ session_id: w.sessionId }),
  "activity.get": (w) => ({ session_id: w.sessionId, activity_id: w.activityId }),
  "activity.update": (w) => ({
    session_id: w.sessionId,
    activity_id: w.activityId,
    config: { prompt: "Ask again", moderation: true },
  }),
  "activity.delete": async (w) => ({ session_id: w.sessionId, activity_id: await w.freshActivity() }),
  "activity.setStatus": (w) => ({ activity_id: w.activityId, status: "active" }),
  "activity.status": (w) => ({ session_id: w.sessionId, activity_id: w.activityId }),
  "activity.results": (w) => ({ session_id: w.sessionId, activity_id: w.activityId }),
  "response.submit": (w) => ({ session_id: w.sessionId, activity_id: w.activityId, response_data: { question_text: "Why?" } }),
  "response.list": (w) => ({ session_id: w.sessionId, activity_id: w.activityId }),
  "response.feed": (w) => ({ session_id: w.sessionId, activity_id: w.activityId, timestamp: "2000-01-01T00:00:00Z" }),
  "export.session": (w) => ({ session_id: w.sessionId, format: "csv" }),
  "export.activity": (w) => ({ session_id: w.sessionId, activity_id: w.activityId, format: "csv" }),
  "response.moderate": async (w) => ({ ...(await entryOf(w, false)), status: "approved" }),
  "response.remove": (w) => entryOf(w, false),
  "response.vote": (w) => entryOf(w, true),
  "response.unvote": (w) => entryOf(w, true),
};

async function entryOf(w: World, approved: boolean): Promise<Input> {
  return { session_id: w.sessionId, activity_id: w.activityId, response_id: await w.othersEntry(approved) };
}

/**
 * Procedures on one response that participants may call: their input with a response of
 * another participant of the session that the caller may not see (a pending question),
 * which "participant of the session" must get a 404 for.
 */
const othersResponse: Record<string, (w: World) => Input | Promise<Input>> = {
  "response.vote": (w) => entryOf(w, false),
  "response.unvote": (w) => entryOf(w, false),
};

/**
 * Callers replaced for one call because the call ends them: leaving revokes the
 * caller's own token, which the rest of the matrix still uses.
 */
const selfEnding: Record<string, Partial<Record<CallerKind, (w: World) => Promise<string>>>> = {
  "participant.leave": { "participant of the session": async (w) => (await w.freshParticipant()).token },
};

let h: ApiHarness;
let world: World;
let tokens: Record<CallerKind, string | undefined>;

beforeAll(async () => {
  h = await createApiHarness();
  const alice = h.caller(h.adminToken("alice"));
  const live = async () => {
    const session = await alice.session.create({ title: "Room" });
    // A moderated Q&A: its entries take votes, and pending ones are hidden from other participants.
    const activity = await alice.activity.create({
      session_id: session.id,
      type: "qa",
      title: "Q",
      config: { prompt: "Ask", moderation: true },
    });
    await alice.session.setStatus({ session_id: session.id, status: "active" });
    await alice.activity.setStatus({ activity_id: activity.id, status: "active" });
    const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "Pat" });
    return { session, activity, participantToken: joined.token };
  };
  const here = await live();
  const elsewhere = await live();
  const draft = await alice.activity.create({ session_id: here.session.id, type: "custom", title: "Draft", config: {} });
  world = {
    sessionId: here.session.id,
    joinCode: here.session.join_code,
    activityId: here.activity.id,
    draftId: draft.id,
    elsewhereActivityId: elsewhere.activity.id,
    freshSession: async () => (await alice.session.create({ title: "Doomed" })).id,
    freshActivity: async () =>
      (await alice.activity.create({ session_id: here.session.id, type: "custom", title: "Doomed", config: {} })).id,
    freshParticipant: async () => {
      const joined = await h.caller().participant.join({ join_code: here.session.join_code, nickname: `doomed ${++nickname}` });
      return { id: joined.participant.id, token: joined.token };
    },
    othersEntry: async (approved) => {
      const joined = await h.caller().participant.join({ join_code: here.session.join_code, nickname: `asker ${++nickname}` });
      const ids = { session_id: here.session.id, activity_id: here.activity.id };
      const entry = await h.caller(joined.token).response.submit({ ...ids, response_data: { question_text: "Anyone?" } });
      // Set either way: the status a submission starts with is the submit route's business, not this matrix's.
      await alice.response.moderate({ ...ids, response_id: entry.id, status: approved ? "approved" : "pending" });
      return entry.id;
    },
  };
  const foreign = new TokenService({ secret: "another-deployment-secret-0123456789abcdef" });
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  tokens = {
    "no token": undefined,
    "malformed token": "not.a-jwt",
    "expired token": h.deps.tokens.sign({ sub: "alice", role: "admin" }, -120).token,
    "wrong signature": foreign.sign({ sub: "alice", role: "admin" }, 3600).token,
    "alg none": `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "alice", role: "admin", exp: Math.floor(Date.now() / 1000) + 3600 })}.`,
    "participant of another session": elsewhere.participantToken,
    "participant of the session": here.participantToken,
    "another admin": h.adminToken("bob"),
    "owning admin": h.adminToken("alice"),
  };
}, 60_000);
afterAll(async () => h?.close());

/** Calls a procedure by its path as the given caller; the outcome is what REST would answer. */
async function outcome(path: string, kind: CallerKind, input: Input): Promise<{ outcome: Observed; code?: string }> {
  const replacement = selfEnding[path]?.[kind];
  const token = replacement ? await replacement(world) : tokens[kind];
  // createCaller builds a proxy keyed by path; walking it by name is the dynamic form of caller.session.get(...).
  let target: unknown = h.caller(token);
  for (const key of path.split(".")) target = (target as Record<string, unknown>)[key];
  try {
    await (target as (input: Input) => Promise<unknown>)(input);
    return { outcome: "ok" };
  } catch (error) {
    const wire = toWireError(error);
    return { outcome: wire.status, code: wire.body.error.code };
  }
}

function expectOutcome(actual: { outcome: Observed; code?: string }, want: Outcome) {
  if (want === "ok") expect(actual).toEqual({ outcome: "ok" });
  else expect(actual).toEqual({ outcome: want, code: codeOf[want] });
}

/** The keys of a procedure's input object, read from its zod schema. */
function inputKeys(def: ProcedureDef["_def"]): string[] {
  const schema = def.inputs[0] as { shape?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.shape ?? {});
}

describe("the access matrix covers the router", () => {
  it("finds the router's procedures, and a fixture for each and no other", () => {
    expect(procedures.length).toBeGreaterThan(0);
    expect(Object.keys(fixtures).sort()).toEqual(procedures.map(([path]) => path).sort());
  });

  it("describes every rule in one line", () => {
    for (const rule of accessRules) expect(accessDescriptions[rule]).toMatch(/^[^\n]+\.$/);
  });

  it.each(procedures.map(([path, p]) => [path, p._def.meta?.access] as const))("%s declares a rule (%s)", (_, access) => {
    expect(accessRules).toContain(access);
  });
});

describe.each(procedures.map(([path, p]) => [path, p._def] as const))("%s", (path, def) => {
  const rule = def.meta?.access as AccessRule;
  const keys = inputKeys(def);

  it.each(callerKinds.map((kind) => [kind, expected[rule]?.[kind]] as const))("%s: %s", async (kind, want) => {
    const fixture = fixtures[path];
    expect(fixture, `no fixture for ${path}`).toBeDefined();
    if (!fixture || want === undefined) return;
    expectOutcome(await outcome(path, kind, await fixture(world)), want);
  });

  if (keys.includes("session_id") && keys.includes("activity_id")) {
    it.each(callerKinds.filter((kind) => expected[rule][kind] === "ok"))(
      "%s: 404 for an activity of another session",
      async (kind) => {
        const input = { ...(await fixtures[path]?.(world)), activity_id: world.elsewhereActivityId };
        expectOutcome(await outcome(path, kind, input), 404);
      },
    );
  }

  if (keys.includes("activity_id") && def.type === "query") {
    it.each(callerKinds.filter((kind) => expected[rule][kind] === "ok"))("%s: a draft activity", async (kind) => {
      const input = { ...(await fixtures[path]?.(world)), activity_id: world.draftId };
      expectOutcome(await outcome(path, kind, input), kind === "participant of the session" ? 404 : "ok");
    });
  }

  if (keys.includes("response_id") && expected[rule]["participant of the session"] === "ok") {
    it("participant of the session: 404 for another participant's response", async () => {
      const fixture = othersResponse[path];
      expect(fixture, `${path} takes a response_id: add it to othersResponse`).toBeDefined();
      if (fixture) expectOutcome(await outcome(path, "participant of the session", await fixture(world)), 404);
    });
  }
});
