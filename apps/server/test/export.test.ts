import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@caja/db";
import { Api, ISO_MS, expectError, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

const columns = [
  "session_id",
  "activity_id",
  "activity_type",
  "activity_title",
  "response_id",
  "participant_nickname",
  "created_at",
  "updated_at",
  "answer",
  "moderation_status",
  "vote_count",
];

const sessionExport = (sessionId: number, query = "?format=csv") => `/api/v1/sessions/${sessionId}/export${query}`;
const activityExport = (sessionId: number, activityId: string, query = "?format=csv") =>
  `/api/v1/sessions/${sessionId}/activities/${activityId}/results/export${query}`;

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The records, parsed back by a real CSV parser, keyed by the header row. */
  rows: Array<Record<string, string>>;
  header: string[];
}

async function download(path: string, token: string): Promise<Download> {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(res.status, bytes.toString("utf8")).toBe(200);
  // Strict: every record must have the header's column count.
  const records: string[][] = parse(bytes, { bom: true, relax_column_count: false });
  const [header = [], ...body] = records;
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    header,
    rows: body.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i] ?? ""]))),
  };
}

const execute = (query: ReturnType<typeof sql>) => server.db.db.execute(query);

/** Answers that break naive CSV: separators, quotes, line breaks, non-ASCII, and spreadsheet formulas. */
const awkward = [
  "Lunch, then dinner",
  'She said "hi" twice',
  "first line\nsecond line\r\nthird",
  "Ünïcødé ✓ 日本語 🎉",
  '=HYPERLINK("http://evil.example","click")',
  "+1",
  "-1",
  "@SUM(1)",
];

/** What a formula-looking cell must read as once exported: prefixed with `'`, so a spreadsheet shows it. */
const defused = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** The export's order within an activity: oldest first, ties by id. */
const inExportOrder = <T extends { created_at: string; id: string }>(responses: T[]) =>
  [...responses].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));

/** A live session with a poll, a Q&A and an activity of an unregistered type, answered awkwardly. */
async function answeredSession() {
  const token = api.admin("alice");
  const session = await api.activeSession(token, { title: 'Export, "quoted"' });
  const poll = await api.activity(token, session.id, {
    type: "poll",
    title: "Pick, one",
    config: { question: "Which?", options: awkward },
  });
  const qa = await api.activity(token, session.id, { type: "qa", title: "Questions", config: { prompt: "Ask away" } });
  const custom = await api.activity(token, session.id, { type: "custom-board", title: "=cmd|' /C calc'!A0", config: {} });
  const people = await Promise.all(awkward.map((_, i) => api.join(session.join_code, i === 0 ? 'Zoë, "the" host' : `p${i}`)));
  // One activity is active at a time: each is answered by everyone in turn.
  const answerAll = async (activityId: string, data: (text: string, i: number) => unknown) => {
    await api.setActivityStatus(token, activityId, "active");
    const answers = [];
    for (const [i, person] of people.entries()) {
      answers.push(await api.submit(person.token, session.id, activityId, data(awkward[i] as string, i)));
    }
    return answers;
  };
  const submitted = {
    poll: await answerAll(poll.id, (text) => ({ selected_options: [text] })),
    qa: await answerAll(qa.id, (text) => ({ question_text: text })),
    custom: await answerAll(custom.id, (text, i) => (i % 2 === 0 ? text : { note: text, n: i })),
  };
  const nicknames = new Map<number | null, string>(people.map((p) => [p.participant.id, p.participant.nickname]));
  return { token, session, poll, qa, custom, people, submitted, nicknames };
}

describe("GET /api/v1/sessions/{session_id}/activities/{activity_id}/results/export", () => {
  it("streams one CSV row per response, with a header row, parsed back intact by a real CSV parser", async () => {
    const s = await answeredSession();
    const res = await download(activityExport(s.session.id, s.poll.id), s.token);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="caja-session-${s.session.id}-activity-${s.poll.id}-responses.csv"`,
    );
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.header).toEqual(columns);
    const texts = new Map(s.submitted.poll.map((r, i) => [r.id, awkward[i] as string]));
    expect(res.rows).toEqual(
      inExportOrder(s.submitted.poll).map((poll) => ({
        session_id: String(s.session.id),
        activity_id: s.poll.id,
        activity_type: "poll",
        activity_title: "Pick, one",
        response_id: poll.id,
        participant_nickname: s.nicknames.get(poll.participant_id),
        created_at: poll.created_at,
        updated_at: poll.updated_at,
        answer: defused(texts.get(poll.id) as string),
        moderation_status: "approved",
        vote_count: "0",
      })),
    );
  });

  it("escapes every formula-looking cell, and only those", async () => {
    const s = await answeredSession();
    const { rows } = await download(activityExport(s.session.id, s.qa.id), s.token);
    const byId = new Map(rows.map((r) => [r.response_id, r.answer]));
    expect(s.submitted.qa.map((r) => byId.get(r.id))).toEqual([
      "Lunch, then dinner",
      'She said "hi" twice',
      "first line\nsecond line\r\nthird",
      "Ünïcødé ✓ 日本語 🎉",
      `'=HYPERLINK("http://evil.example","click")`,
      "'+1",
      "'-1",
      "'@SUM(1)",
    ]);
    for (const row of rows) expect([row.created_at, row.updated_at]).toEqual([expect.stringMatching(ISO_MS), row.created_at]);
  });

  it("an unregistered type's answer is its JSON (strings as they are); its title is escaped too", async () => {
    const s = await answeredSession();
    const { rows } = await download(activityExport(s.session.id, s.custom.id), s.token);
    const byId = new Map(rows.map((r) => [r.response_id, r]));
    const exported = s.submitted.custom.map(({ id }) => byId.get(id));
    expect(exported.map((r) => [r?.activity_type, r?.activity_title])).toEqual(
      awkward.map(() => ["custom-board", `'=cmd|' /C calc'!A0`]),
    );
    // An object is written as its JSON (key order is the database's), never defused: it starts with `{`.
    const answers = exported.map((r, i): unknown => (i % 2 === 0 ? r?.answer : JSON.parse(r?.answer ?? "null")));
    expect(answers).toEqual(awkward.map((text, i) => (i % 2 === 0 ? defused(text) : { note: text, n: i })));
  });

  it("shows moderation status and votes, and leaves deleted responses out", async () => {
    const s = await answeredSession();
    const [kept, pending, deleted] = s.submitted.qa.map((r) => r.id);
    await execute(sql`update user_responses set vote_count = 3 where id = ${kept}`);
    await execute(sql`update user_responses set status = 'pending' where id = ${pending}`);
    await execute(sql`update user_responses set deleted_at = now(), response_data = '{}' where id = ${deleted}`);
    const { rows } = await download(activityExport(s.session.id, s.qa.id), s.token);
    expect(rows).toHaveLength(awkward.length - 1);
    expect(rows.map((r) => r.response_id)).not.toContain(deleted);
    expect(rows.find((r) => r.response_id === kept)).toMatchObject({ vote_count: "3", moderation_status: "approved" });
    expect(rows.find((r) => r.response_id === pending)).toMatchObject({ vote_count: "0", moderation_status: "pending" });
  });

  it("an activity with no responses: the header row alone", async () => {
    const token = api.admin("alice");
    const session = await api.activeSession(token);
    const activity = await api.activity(token, session.id, { type: "custom", config: {} });
    const res = await download(activityExport(session.id, activity.id, ""), token);
    expect([res.header, res.rows]).toEqual([columns, []]);
  });
});

/**
 * How a spreadsheet reads the file: every CR, LF or CRLF outside quotes ends a record (not only
 * the first kind met, csv-parse's default), and a short record is kept rather than refused.
 */
const asSpreadsheetReadsIt = (bytes: Buffer): string[][] =>
  parse(bytes, { bom: true, record_delimiter: ["\r\n", "\n", "\r"], relax_column_count: true });

describe("formula injection through line breaks", () => {
  /** Each would start a record of its own, beginning with its formula, were its line break left unquoted. */
  const injections = [
    "great talk\n=cmd|' /C calc'!A0",
    'fine\r=HYPERLINK("http://evil.example","x")',
    "ok\r\n+1+cmd|' /C calc'!A0",
    "two\n\n@SUM(1)",
    "tab\n\t=1",
    "minus\n-2+3",
  ];

  it("a line break inside an answer or a title stays inside its quoted cell: no cell starts with = + - @, tab or CR", async () => {
    const token = api.admin("alice");
    const session = await api.activeSession(token);
    const title = "Feedback\n=cmd|' /C calc'!A0";
    const activity = await api.activity(token, session.id, { type: "custom-board", title, config: {} });
    await api.setActivityStatus(token, activity.id, "active");
    const submitted = [];
    for (const [i, text] of injections.entries()) {
      const person = await api.join(session.join_code, `p${i}`);
      submitted.push(await api.submit(person.token, session.id, activity.id, text));
    }
    const res = await fetch(server.url + activityExport(session.id, activity.id), {
      headers: { authorization: `Bearer ${token}` },
    });
    const records = asSpreadsheetReadsIt(Buffer.from(await res.arrayBuffer()));
    expect(records.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(records.map((record) => record.length)).toEqual(records.map(() => columns.length));
    const [header = [], ...rows] = records;
    expect(header).toEqual(columns);
    const cell = (row: string[], name: string) => row[columns.indexOf(name)];
    expect(rows.map((row) => cell(row, "activity_title"))).toEqual(injections.map(() => title));
    const answers = new Map(rows.map((row) => [cell(row, "response_id"), cell(row, "answer")]));
    expect(submitted.map((r) => answers.get(r.id))).toEqual(injections);
  });
});

describe("GET /api/v1/sessions/{session_id}/export", () => {
  it("every response of the session, activity by activity in session order", async () => {
    const s = await answeredSession();
    const res = await download(sessionExport(s.session.id), s.token);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="caja-session-${s.session.id}-responses.csv"`);
    expect(res.header).toEqual(columns);
    const ids = (key: "poll" | "qa" | "custom") => inExportOrder(s.submitted[key]).map((r) => r.id);
    expect(res.rows.map((r) => r.response_id)).toEqual([...ids("poll"), ...ids("qa"), ...ids("custom")]);
    expect(new Set(res.rows.map((r) => r.session_id))).toEqual(new Set([String(s.session.id)]));
  });

  it("streams a large export completely, page after page", async () => {
    const token = api.admin("alice");
    const session = await api.activeSession(token);
    const activity = await api.activity(token, session.id, { type: "custom", config: {} });
    const person = await api.join(session.join_code, "Many");
    const total = 3000;
    // Seven rows share each timestamp, so ties on created_at straddle the page boundaries.
    await execute(sql`
      insert into user_responses (session_id, activity_id, participant_id, response_data, single_answer, created_at, updated_at)
      select ${session.id}, ${activity.id}, ${person.participant.id}, to_jsonb('answer ' || g), false,
             timestamptz '2026-01-01T00:00:00Z' + (g / 7) * interval '1 millisecond',
             timestamptz '2026-01-01T00:00:00Z' + (g / 7) * interval '1 millisecond'
      from generate_series(1, ${total}) g`);
    const res = await download(sessionExport(session.id), token);
    expect(res.rows).toHaveLength(total);
    expect(new Set(res.rows.map((r) => r.response_id)).size).toBe(total);
    expect(new Set(res.rows.map((r) => r.answer))).toEqual(new Set(Array.from({ length: total }, (_, i) => `answer ${i + 1}`)));
    const keys = res.rows.map((r) => `${r.created_at} ${r.response_id}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe("who may export", () => {
  it.each([
    ["the session export", (s: Awaited<ReturnType<typeof answeredSession>>) => sessionExport(s.session.id)],
    ["an activity export", (s: Awaited<ReturnType<typeof answeredSession>>) => activityExport(s.session.id, s.qa.id)],
  ])("%s: 401 without a token, 403 for a participant and for another admin", async (_, pathOf) => {
    const s = await answeredSession();
    const path = pathOf(s);
    expectError(await api.request("GET", path), 401, "UNAUTHORIZED");
    expectError(await api.request("GET", path, { token: s.people[0]?.token }), 403, "FORBIDDEN");
    expectError(await api.request("GET", path, { token: api.admin("mallory") }), 403, "FORBIDDEN");
  });

  it("404 for an activity of another session", async () => {
    const s = await answeredSession();
    const other = await api.activeSession(s.token);
    expectError(await api.request("GET", activityExport(other.id, s.qa.id), { token: s.token }), 404, "NOT_FOUND");
  });

  it.each(["?format=xlsx", "?format=", "?format=CSV"])("400 VALIDATION_ERROR naming format for %s", async (query) => {
    const s = await answeredSession();
    expectValidationError(await api.request("GET", sessionExport(s.session.id, query), { token: s.token }), "format");
    expectValidationError(await api.request("GET", activityExport(s.session.id, s.poll.id, query), { token: s.token }), "format");
  });
});
