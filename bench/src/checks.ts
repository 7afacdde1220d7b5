import type { Sql } from "postgres";
import type { Presenter } from "./feed";
import type { Submission } from "./scenario";

export interface Check {
  name: string;
  ok: boolean;
  /** A failed fatal check fails the run; the others describe load the server could not carry (a target's business). */
  fatal: boolean;
  detail: string;
}

export interface StoredResponse {
  id: string;
  participantId: number;
  seq: number;
}

export async function storedResponses(db: Sql, activityId: string): Promise<StoredResponse[]> {
  const rows = await db<{ id: string; participant_id: number; seq: number | null }[]>`
    select id, participant_id, (response_data->>'seq')::int as seq
      from user_responses where activity_id = ${activityId}`;
  return rows.map((r) => ({ id: r.id, participantId: Number(r.participant_id), seq: r.seq ?? -1 }));
}

/** The responses once two reads a second apart agree (or after `timeoutMs`). */
export async function settledResponses(db: Sql, activityId: string, timeoutMs: number): Promise<StoredResponse[]> {
  const fingerprint = (rows: StoredResponse[]) =>
    rows
      .map((r) => `${r.id}:${r.seq}`)
      .sort()
      .join(",");
  const until = performance.now() + timeoutMs;
  let rows = await storedResponses(db, activityId);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const again = await storedResponses(db, activityId);
    if (fingerprint(again) === fingerprint(rows) || performance.now() > until) return again;
    rows = again;
  }
}

/** Feed rows that do not (yet) show the stored version. */
export function feedBehind(presenter: Presenter, stored: StoredResponse[]): number {
  let behind = 0;
  for (const row of stored) if (presenter.latest.get(row.id)?.seq !== row.seq) behind++;
  return behind;
}

/** The presenter follows the feed until it shows every stored version, or gives up after `timeoutMs`. */
export async function drainFeed(presenter: Presenter, stored: StoredResponse[], timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    await presenter.catchUp();
    const behind = feedBehind(presenter, stored);
    if (behind === 0 || performance.now() > until) return behind;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface SubmissionAudit {
  sent: number;
  acknowledged: number;
  /** Acknowledged, yet the database holds no row, another id, or an older version. */
  lost: number;
  lostExamples: string[];
}

/**
 * Every acknowledged submission must be in the database: the participant's row,
 * with the id the server answered, holding that version or a later one of the
 * same participant (a submission replaces the previous answer).
 */
export function auditSubmissions(submissions: Submission[], stored: StoredResponse[]): SubmissionAudit {
  const byParticipant = new Map(stored.map((r) => [r.participantId, r]));
  const lastSent = new Map<number, number>();
  for (const s of submissions) lastSent.set(s.participantId, Math.max(lastSent.get(s.participantId) ?? 0, s.seq));
  let acknowledged = 0;
  let lost = 0;
  const lostExamples: string[] = [];
  for (const s of submissions) {
    if (s.status < 200 || s.status >= 300) continue;
    acknowledged++;
    const row = byParticipant.get(s.participantId);
    const ok = row !== undefined && row.id === s.id && row.seq >= s.seq && row.seq <= (lastSent.get(s.participantId) ?? 0);
    if (!ok) {
      lost++;
      if (lostExamples.length < 5) {
        lostExamples.push(
          `participant ${s.participantId} seq ${s.seq} id ${s.id}: stored ${row ? `${row.id} seq ${row.seq}` : "nothing"}`,
        );
      }
    }
  }
  return { sent: submissions.length, acknowledged, lost, lostExamples };
}

export interface FollowedFeed {
  presenter: Presenter;
  /** Stored responses it still did not show at their latest version after the drain. */
  behind: number;
}

/**
 * Each presenter's screen ends with the table: every stored response once, at its latest version.
 * A version shown after a newer one of its answer is a defect, unless the two submissions were in
 * flight at once: the generator does not wait for a participant's answer before its next submission,
 * so on separate connections they may reach the server in either order, and the server keeps the
 * one it received last (`received_at`). Those are counted apart.
 */
function feedCheck(stored: StoredResponse[], { presenter, behind }: FollowedFeed, submissions: Submission[]): Check {
  const storedIds = new Set(stored.map((r) => r.id));
  const phantom = [...presenter.latest.keys()].filter((id) => !storedIds.has(id)).length;
  const bySeq = new Map(submissions.map((s) => [`${s.participantId}:${s.seq}`, s]));
  const overlapped = (r: { participantId: number; shown: number; seq: number }) => {
    const older = bySeq.get(`${r.participantId}:${r.seq}`);
    const newer = bySeq.get(`${r.participantId}:${r.shown}`);
    return older !== undefined && newer !== undefined && (older.answeredAt === null || older.answeredAt > newer.sentAt);
  };
  const reordered = presenter.regressions.filter(overlapped).length;
  const regressions = presenter.regressions.length - reordered;
  return {
    name: `feed followed by ${presenter.mode} shows every stored response once, at its latest version`,
    fatal: true,
    ok: behind === 0 && presenter.duplicates === 0 && regressions === 0 && phantom === 0,
    detail:
      `${stored.length} stored, ${presenter.latest.size} ids in the feed, ${behind} missing or stale, ` +
      `${presenter.duplicates} versions delivered twice, ${regressions} older after newer, ${phantom} not in the database ` +
      `(${presenter.itemsReceived} items received; ${reordered} older after newer sent while the newer was in flight, ` +
      `which the server may receive in either order)`,
  };
}

export function buildChecks(input: {
  audit: SubmissionAudit;
  submissions: Submission[];
  stored: StoredResponse[];
  feeds: FollowedFeed[];
  serverErrors: number;
  serverErrorExamples: string[];
  counter: { reported: number; stored: number } | null;
  unfinished: number;
}): Check[] {
  const { audit } = input;
  return [
    {
      name: "no 5xx",
      fatal: true,
      ok: input.serverErrors === 0,
      detail:
        input.serverErrors === 0
          ? "0 answers >= 500 in the whole run"
          : `${input.serverErrors}: ${input.serverErrorExamples.join(" | ")}`,
    },
    {
      name: "acknowledged responses are in the database",
      fatal: true,
      ok: audit.lost === 0,
      detail: `${audit.acknowledged} acknowledged of ${audit.sent} sent, ${audit.lost} lost${audit.lostExamples.length ? `: ${audit.lostExamples.join("; ")}` : ""}`,
    },
    ...input.feeds.map((feed) => feedCheck(input.stored, feed, input.submissions)),
    {
      name: "activity status response_count matches the database",
      fatal: true,
      ok: input.counter !== null && input.counter.reported === input.counter.stored,
      detail: input.counter
        ? `status says ${input.counter.reported}, database has ${input.counter.stored}`
        : "could not read the status",
    },
    {
      name: "every request sent in the window was answered",
      fatal: false,
      ok: input.unfinished === 0,
      detail: `${input.unfinished} still open 35 s after the window (then aborted, and counted as errors above)`,
    },
  ];
}
