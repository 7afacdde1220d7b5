import type { Pool } from "undici";
import type { Presenter } from "./feed";
import { paths } from "./http";
import { Scheduler } from "./schedule";
import { responseData, type Participant, type Room } from "./setup";
import { RouteStats, type ErrorLedger, type LatencySummary, type RouteSummary } from "./stats";

export type WritePlan =
  /** `share` of the participants each submit every `everyMs` (the default: 10% every 10 s). */
  | { kind: "share"; share: number; everyMs: number }
  /** A steady `perSecond` submissions into the one activity, round robin over the room. */
  | { kind: "rate"; perSecond: number };

export interface ScenarioOptions {
  warmupMs: number;
  durationMs: number;
  pollEveryMs: number;
  /** ±fraction of the interval, uniform: 0.2 spreads a 2 s poll over 1.6–2.4 s. */
  jitter: number;
  writes: WritePlan;
  presenterEveryMs: number;
}

export interface Submission {
  participantId: number;
  seq: number;
  /** 0 when no answer came. */
  status: number;
  id: string | null;
}

export interface ScenarioHooks {
  /** Called at the start and end of the measured window, while load is running. */
  windowStart(): void;
  windowEnd(): void;
}

export interface ScenarioResult {
  windowSeconds: number;
  routes: RouteSummary[];
  submissions: Submission[];
  offered: { pollsPerSecond: number; submissionsPerSecond: number; presenterPerSecond: number };
  generatorLagMs: LatencySummary;
  unfinishedAfterDrain: number;
}

/** Runs the room for warmup + duration; requests scheduled during warmup are sent but not counted. */
export async function runScenario(
  pool: Pool,
  room: Room,
  presenter: Presenter,
  ledger: ErrorLedger,
  options: ScenarioOptions,
  hooks: ScenarioHooks,
): Promise<ScenarioResult> {
  const scheduler = new Scheduler();
  const stats = {
    session: new RouteStats("GET session status"),
    activity: new RouteStats("GET activity status"),
    submit: new RouteStats("POST response"),
    feed: new RouteStats("GET responses/since (presenter)"),
  };
  const submissions: Submission[] = [];
  const t0 = performance.now() + 100;
  const windowStart = t0 + options.warmupMs;
  const end = windowStart + options.durationMs;
  const inWindow = (at: number) => at >= windowStart && at < end;
  const jittered = (ms: number) => ms * (1 + options.jitter * (2 * Math.random() - 1));
  let inflight = 0;

  const sessionPath = paths.sessionStatus(room.sessionId);
  const activityPath = paths.activityStatus(room.sessionId, room.activityId);
  const submitPath = paths.submit(room.sessionId, room.activityId);

  /** A participant's poll of one route: sends its last ETag, keeps the new one. */
  const poll = (p: Participant, route: "session" | "activity") => {
    const path = route === "session" ? sessionPath : activityPath;
    const routeStats = stats[route];
    const run = (scheduledAt: number): void => {
      const next = scheduledAt + jittered(options.pollEveryMs);
      if (next < end) scheduler.at(next, run);
      const etag = route === "session" ? p.sessionEtag : p.activityEtag;
      const headers: Record<string, string> = etag ? { authorization: p.authorization, "if-none-match": etag } : { authorization: p.authorization };
      inflight++;
      pool.request({ method: "GET", path, headers }).then(
        async (res) => {
          if (res.statusCode >= 500) ledger.note(path, res.statusCode, await res.body.text());
          else await res.body.dump();
          const fresh = res.headers.etag;
          if (res.statusCode === 200 && typeof fresh === "string") {
            if (route === "session") p.sessionEtag = fresh;
            else p.activityEtag = fresh;
          }
          inflight--;
          if (inWindow(scheduledAt)) routeStats.record(performance.now() - scheduledAt, res.statusCode);
        },
        () => {
          inflight--;
          if (inWindow(scheduledAt)) routeStats.recordNetworkError(performance.now() - scheduledAt);
        },
      );
    };
    return run;
  };

  const submit = (p: Participant, scheduledAt: number): void => {
    const seq = p.nextSeq++;
    const record: Submission = { participantId: p.id, seq, status: 0, id: null };
    submissions.push(record);
    inflight++;
    pool
      .request({
        method: "POST",
        path: submitPath,
        headers: { authorization: p.authorization, "content-type": "application/json" },
        body: JSON.stringify({ response_data: responseData(p, seq) }),
      })
      .then(
        async (res) => {
          const text = await res.body.text();
          record.status = res.statusCode;
          ledger.note("submit", res.statusCode, text);
          if (res.statusCode >= 200 && res.statusCode < 300) record.id = (JSON.parse(text) as { id: string }).id;
          inflight--;
          if (inWindow(scheduledAt)) stats.submit.record(performance.now() - scheduledAt, res.statusCode);
        },
        () => {
          inflight--;
          if (inWindow(scheduledAt)) stats.submit.recordNetworkError(performance.now() - scheduledAt);
        },
      );
  };

  // Participants: two polling loops each, phases spread over one interval.
  for (const p of room.participants) {
    scheduler.at(t0 + Math.random() * options.pollEveryMs, poll(p, "session"));
    scheduler.at(t0 + Math.random() * options.pollEveryMs, poll(p, "activity"));
  }

  // Writers: a shuffled order so that submitters are not the first joiners only.
  const order = shuffle([...room.participants]);
  let submissionsPerSecond: number;
  if (options.writes.kind === "share") {
    const { everyMs } = options.writes;
    const writers = order.slice(0, Math.round(options.writes.share * order.length));
    submissionsPerSecond = (writers.length * 1000) / everyMs;
    for (const p of writers) {
      const run = (scheduledAt: number): void => {
        const next = scheduledAt + jittered(everyMs);
        if (next < end) scheduler.at(next, run);
        submit(p, scheduledAt);
      };
      scheduler.at(t0 + Math.random() * everyMs, run);
    }
  } else {
    const gapMs = 1000 / options.writes.perSecond;
    submissionsPerSecond = options.writes.perSecond;
    let k = 0;
    const run = (scheduledAt: number): void => {
      const p = order[k++ % order.length] as Participant;
      if (scheduledAt + gapMs < end) scheduler.at(scheduledAt + gapMs, run);
      submit(p, scheduledAt);
    };
    if (order.length > 0) scheduler.at(t0, run);
  }

  // The presenter: one screen, one request at a time; a tick that finds it busy runs right after.
  let presenterBusy = false;
  let presenterDue: number | null = null;
  const presenterTick = (scheduledAt: number): void => {
    if (scheduledAt + options.presenterEveryMs < end) scheduler.at(scheduledAt + options.presenterEveryMs, presenterTick);
    if (presenterBusy) {
      presenterDue ??= scheduledAt;
      return;
    }
    void presenterRun(scheduledAt);
  };
  const presenterRun = async (scheduledAt: number): Promise<void> => {
    presenterBusy = true;
    inflight++;
    let due: number | null = scheduledAt;
    while (due !== null) {
      const at: number = due;
      try {
        const { status, hasMore } = await presenter.poll();
        if (inWindow(at)) stats.feed.record(performance.now() - at, status);
        // Following has_more is part of the same screen refresh: the next page is due now.
        due = hasMore ? performance.now() : presenterDue;
      } catch {
        if (inWindow(at)) stats.feed.recordNetworkError(performance.now() - at);
        due = presenterDue;
      }
      presenterDue = null;
    }
    inflight--;
    presenterBusy = false;
  };
  scheduler.at(t0, presenterTick);

  scheduler.at(windowStart, () => hooks.windowStart());
  const finished = new Promise<void>((resolve) =>
    scheduler.at(end, () => {
      hooks.windowEnd();
      resolve();
    }),
  );
  await finished;
  scheduler.stop();
  // Answers to requests sent inside the window still count; wait for them, boundedly.
  const drainUntil = performance.now() + 35_000;
  while (inflight > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));

  const windowSeconds = options.durationMs / 1000;
  return {
    windowSeconds,
    routes: [stats.session, stats.activity, stats.submit, stats.feed].map((s) => s.summary(windowSeconds)),
    submissions,
    offered: {
      pollsPerSecond: (2 * room.participants.length * 1000) / options.pollEveryMs,
      submissionsPerSecond,
      presenterPerSecond: 1000 / options.presenterEveryMs,
    },
    generatorLagMs: scheduler.lag.summary(),
    unfinishedAfterDrain: inflight,
  };
}

/** Fisher–Yates. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
