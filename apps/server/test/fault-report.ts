import { createDb, queryRows, sql } from "@caja/db";
import { isOk, type Acknowledged, type Attempt } from "./fault-load";

/**
 * What the fault suite checks and prints: every write that reached an answer row
 * (a trigger logs them, so an overwritten or repeated one shows up too), and per
 * fault the requests, acknowledged writes, those found, duplicates, 5xx and the
 * longest time a client went without a successful answer.
 */
export interface Phase {
  fault: string;
  startedAt: number;
  endedAt: number;
}

export interface WriteLog {
  /** "participant/activity/n" -> how many times it was written (inserted or updated to). */
  writes: Map<string, number>;
  /** Per single-answer participant: the stored answer, and answers written after a newer one. */
  single: Map<number, { stored: number; lateOverwrites: number[] }>;
  /** Multiple-answer rows per "participant/activity/n" (more than one is a duplicate). */
  rows: Map<string, number>;
}

export const writeKey = (w: Pick<Acknowledged, "participantId" | "activityId" | "n">) =>
  `${w.participantId}/${w.activityId}/${w.n}`;

/** Installs the trigger on the fault suite's own cluster (before the load starts). */
export async function installWriteLog(url: string) {
  const handle = createDb(url, { maxConnections: 1 });
  try {
    await handle.db.execute(
      sql.raw(`
      create table write_log (seq bigserial primary key, participant_id int, activity_id uuid, n int);
      create function log_write() returns trigger language plpgsql as $$
        begin
          insert into write_log (participant_id, activity_id, n)
            values (new.participant_id, new.activity_id, (new.response_data->>'n')::int);
          return new;
        end $$;
      create trigger user_responses_write_log after insert or update of response_data on user_responses
        for each row execute function log_write();`),
    );
  } finally {
    await handle.close();
  }
}

export async function readWriteLog(url: string, singleActivityId: string): Promise<WriteLog> {
  const handle = createDb(url, { maxConnections: 1 });
  try {
    const log = await queryRows<{ participant_id: number; activity_id: string; n: number }>(
      handle.db,
      sql`select participant_id, activity_id, n from write_log order by seq`,
    );
    const rows = await queryRows<{ participant_id: number; activity_id: string; n: number; count: number }>(
      handle.db,
      sql`select participant_id, activity_id, (response_data->>'n')::int as n, count(*)::int as count
          from user_responses group by 1, 2, 3`,
    );
    const writes = new Map<string, number>();
    const single = new Map<number, { stored: number; lateOverwrites: number[]; newest: number }>();
    for (const entry of log) {
      const key = writeKey({ participantId: entry.participant_id, activityId: entry.activity_id, n: entry.n });
      writes.set(key, (writes.get(key) ?? 0) + 1);
      if (entry.activity_id !== singleActivityId) continue;
      const seen = single.get(entry.participant_id) ?? { stored: 0, lateOverwrites: [], newest: 0 };
      if (entry.n < seen.newest) seen.lateOverwrites.push(entry.n);
      seen.newest = Math.max(seen.newest, entry.n);
      single.set(entry.participant_id, seen);
    }
    for (const row of rows) {
      const seen = single.get(row.participant_id);
      if (row.activity_id === singleActivityId && seen) seen.stored = row.n;
    }
    const rowCounts = new Map(
      rows.map((r) => [writeKey({ participantId: r.participant_id, activityId: r.activity_id, n: r.n }), r.count]),
    );
    return { writes, single, rows: rowCounts };
  } finally {
    await handle.close();
  }
}

export interface FaultRow {
  fault: string;
  requests: number;
  acknowledged: number;
  found: number;
  duplicates: number;
  status503: number;
  /** 5xx other than 503 (a 500 is a defect). */
  otherServerErrors: number;
  /** The client gave up waiting (a hang) or got no answer at all (refused, reset). */
  noAnswer: number;
  /** The longest time one client went from a failed request to its next success (ms). */
  longestUnavailableMs: number;
}

const within = (phase: Phase, at: number) => at >= phase.startedAt && at < phase.endedAt;
/** Requests count in the phase that answered them: one sent just before a fault and failed by it is the fault's. */
const answeredAt = (a: Attempt) => a.startedAt + a.ms;

/**
 * Per client: from the start of its first failed attempt to the end of its next success,
 * dated by when that first failure was answered (the fault that caused it was under way then).
 */
function outages(attempts: Attempt[]): Array<{ failedAt: number; ms: number }> {
  const byClient = new Map<string, Attempt[]>();
  for (const a of attempts) byClient.set(a.client, [...(byClient.get(a.client) ?? []), a]);
  const spans: Array<{ failedAt: number; ms: number }> = [];
  for (const list of byClient.values()) {
    let firstFailure: Attempt | undefined;
    for (const a of list.sort((x, y) => x.startedAt - y.startedAt)) {
      if (!isOk(a.status)) firstFailure ??= a;
      else if (firstFailure !== undefined) {
        spans.push({ failedAt: answeredAt(firstFailure), ms: answeredAt(a) - firstFailure.startedAt });
        firstFailure = undefined;
      }
    }
  }
  return spans;
}

export function faultTable(phases: Phase[], attempts: Attempt[], acknowledged: Acknowledged[], log: WriteLog): FaultRow[] {
  const spans = outages(attempts);
  return phases.map((phase) => {
    const inPhase = attempts.filter((a) => within(phase, answeredAt(a)));
    const acked = acknowledged.filter((a) => within(phase, a.firstSentAt));
    return {
      fault: phase.fault,
      requests: inPhase.length,
      acknowledged: acked.length,
      found: acked.filter((a) => (log.writes.get(writeKey(a)) ?? 0) > 0).length,
      duplicates: acked.filter((a) => (log.writes.get(writeKey(a)) ?? 0) > 1 || (log.rows.get(writeKey(a)) ?? 0) > 1).length,
      status503: inPhase.filter((a) => a.status === 503).length,
      otherServerErrors: inPhase.filter((a) => typeof a.status === "number" && a.status >= 500 && a.status !== 503).length,
      noAnswer: inPhase.filter((a) => typeof a.status !== "number").length,
      longestUnavailableMs: Math.max(0, ...spans.filter((s) => within(phase, s.failedAt)).map((s) => s.ms)),
    };
  });
}

/** A Markdown table, ready for the README's Reliability section. */
export function formatFaultTable(rows: FaultRow[]): string {
  const header = [
    "fault",
    "requests",
    "acknowledged writes",
    "writes found",
    "duplicates",
    "503 + Retry-After",
    "other 5xx",
    "no answer",
    "longest unavailability",
  ];
  const lines = rows.map((r) => [
    r.fault,
    r.requests,
    r.acknowledged,
    r.found,
    r.duplicates,
    r.status503,
    r.otherServerErrors,
    r.noAnswer,
    `${(r.longestUnavailableMs / 1000).toFixed(1)} s`,
  ]);
  return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
