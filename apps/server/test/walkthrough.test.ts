import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";

const script = fileURLToPath(new URL("../../../docs/walkthrough.sh", import.meta.url));

let server: TestServer;
let out: string;
beforeAll(async () => {
  server = await startTestServer();
  out = mkdtempSync(join(tmpdir(), "caja-walkthrough-"));
});
afterAll(async () => {
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Runs the README's walkthrough script (bash, curl, jq) as a reader would, against a real server. */
function runWalkthrough(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], {
      env: { ...process.env, CAJA_API: `${server.url}/api`, CAJA_TOKEN: server.adminToken(), CAJA_WALKTHROUGH_OUT: out },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every JSON line the script printed, in order. */
const jsonLines = (stdout: string): unknown[] =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{") || line.startsWith("["))
    .map((line) => JSON.parse(line) as unknown);

describe("docs/walkthrough.sh (the README's curl session)", () => {
  it("runs a poll, a moderated Q&A with upvotes, a timed quiz with its leaderboard, and the CSV export", async () => {
    const run = await runWalkthrough();
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

    const [poll, approved, rejected, firstVote, secondVote, qa, quizStarted, leaderboard] = jsonLines(run.stdout);
    // Ben's second answer replaced his first: three voters, all for pizza.
    expect(poll).toEqual({
      response_count: 3,
      options: [
        { option: "pizza", count: 3 },
        { option: "sushi", count: 0 },
        { option: "salad", count: 0 },
      ],
    });
    expect(run.stdout).toContain("Ben sees 0 questions before moderation");
    expect(approved).toMatchObject({ status: "approved" });
    expect(rejected).toMatchObject({ status: "rejected" });
    expect(firstVote).toMatchObject({ vote_count: 1, voted: true });
    expect(secondVote).toMatchObject({ vote_count: 2, voted: true });
    // Only the approved question counts, with both upvotes.
    expect(qa).toMatchObject({
      response_count: 1,
      results: { questions: [{ question_text: "When is the next offsite?", votes: 2, nickname: "Ana" }], total_questions: 1 },
    });
    expect(quizStarted).toMatchObject({ status: "active", ends_at: expect.any(String) });
    expect(leaderboard).toEqual([
      { rank: 1, nickname: "Ana", points: 10 },
      { rank: 1, nickname: "Cleo", points: 10 },
      { rank: 3, nickname: "Ben", points: 0 },
    ]);

    const csvFile = /rows in (\S+\.csv)/.exec(run.stdout)?.[1];
    expect(csvFile).toBeDefined();
    const rows = parse<Record<string, string>>(readFileSync(csvFile as string), { columns: true, bom: true });
    // 3 poll answers (Ben's replaced in place), 2 questions (one rejected), 3 quiz answers.
    expect(rows).toHaveLength(8);
    expect(run.stdout).toContain("8 rows in");
    expect(
      rows
        .filter((r) => r.activity_type === "qa")
        .map((r) => r.moderation_status)
        .sort(),
    ).toEqual(["approved", "rejected"]);
    expect(new Set(rows.map((r) => r.participant_nickname))).toEqual(new Set(["Ana", "Ben", "Cleo"]));
  });
});
