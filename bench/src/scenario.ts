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
  /** Poll again after the server's `poll_interval_ms` (as @caja/client does) instead of every `pollEveryMs`. */
  followPollInterval: boolean;
}

/**
 * Requests queued in one pool beyond this are not sent. An open-loop generator
 * facing a server that cannot keep up otherwise queues without bound, and with
 * hundreds of thousands pending it becomes the bottleneck itself (GC, dispatch
 * lag) and the figures describe it rather than the server.
 */
export const MAX_BACKLOG = 20_000;
/** The undici request timeout; a shed request is counted as failing at it. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface Submission {
  participantId: number;
  seq: number;
  /** 0 when no answer came. */
  status: number;
  id: string | null;
  /** When it was handed to the pool and when its answer came (performance.now(); null: none came). */
  sentAt: number;
  answeredAt: number | null;
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
  /** Requests still unanswered 35 s after the window; they were then aborted and count as errors. */
  unfinishedAfterDrain: number;
  /** The `poll_interval_ms` the server advised in the window's 200 answers (it grows under load). */
  advisedPollMs: { min: number; max: number };
}

/** Runs the room for warmup + duration; requests scheduled during warmup are sent but not counted. */
export async function runScenario(
  /**
   * Polls and submissions on pools of their own: a browser's poll never waits
   * behind another participant's slow submission for a free connection, so
   * neither may the bench's.
   */
  pools: { polls: Pool; writes: Pool },
  room: Room,
  /** Screens following the feed, each on its own: one by cursor, one by timestamp. */
  presenters: Presenter[],
  ledger: ErrorLedger,
  options: ScenarioOptions,
  hooks: ScenarioHooks,
): Promise<ScenarioResult> {
  const scheduler = new Scheduler();
  const stats = {
    session: new RouteStats("GET session status"),
    activity: new RouteStats("GET activity status"),
    results: new RouteStats("GET activity results"),
    submit: new RouteStats("POST response"),
  };
  const feeds = presenters.map((presenter) => ({
    presenter,
    stats: new RouteStats(`GET responses/since (${presenter.mode} presenter)`),
  }));
  const submissions: Submission[] = [];
  const t0 = performance.now() + 100;
  const windowStart = t0 + options.warmupMs;
  const end = windowStart + options.durationMs;
  const inWindow = (at: number) => at >= windowStart && at < end;
  const jittered = (ms: number) => ms * (1 + options.jitter * (2 * Math.random() - 1));
  let inflight = 0;

  const sessionPath = paths.sessionStatus(room.sessionId);
  const activityPath = paths.activityStatus(room.sessionId, room.activityId);
  const resultsPath = paths.activityResults(room.sessionId, room.activityId);
  const pathOf = { session: sessionPath, activity: activityPath, results: resultsPath };
  const etagOf = { session: "sessionEtag", activity: "activityEtag", results: "resultsEtag" } as const;
  const submitPath = paths.submit(room.sessionId, room.activityId);

  let advisedMin = Number.POSITIVE_INFINITY;
  let advisedMax = 0;
  const advised = (body: string): number | null => {
    const match = /"poll_interval_ms":(\d+)/.exec(body);
    return match ? Number(match[1]) : null;
  };

  /** A participant's poll of one route: sends its last ETag, keeps the new one (and the advised interval). */
  const poll = (p: Participant, route: "session" | "activity" | "results") => {
    const path = pathOf[route];
    const routeStats = stats[route];
    let everyMs = options.pollEveryMs;
    const run = (scheduledAt: number): void => {
      const next = scheduledAt + jittered(everyMs);
      if (next < end) scheduler.at(next, run);
      if (pools.polls.stats.queued > MAX_BACKLOG) {
        if (inWindow(scheduledAt)) routeStats.recordShed(REQUEST_TIMEOUT_MS);
        return;
      }
      const etag = p[etagOf[route]];
      const headers: Record<string, string> = etag
        ? { authorization: p.authorization, "if-none-match": etag }
        : { authorization: p.authorization };
      inflight++;
      pools.polls.request({ method: "GET", path, headers }).then(
        async (res) => {
          const body = await res.body.text();
          ledger.note(path, res.statusCode, body);
          const fresh = res.headers.etag;
          if (res.statusCode === 200 && typeof fresh === "string") {
            p[etagOf[route]] = fresh;
            const interval = advised(body);
            if (interval !== null) {
              if (options.followPollInterval) everyMs = interval;
              if (inWindow(scheduledAt)) {
                advisedMin = Math.min(advisedMin, interval);
                advisedMax = Math.max(advisedMax, interval);
              }
            }
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
    if (pools.writes.stats.queued > MAX_BACKLOG) {
      if (inWindow(scheduledAt)) stats.submit.recordShed(REQUEST_TIMEOUT_MS);
      return;
    }
    const seq = p.nextSeq++;
    const record: Submission = { participantId: p.id, seq, status: 0, id: null, sentAt: performance.now(), answeredAt: null };
    submissions.push(record);
    inflight++;
    pools.writes
      .request({
        method: "POST",
        path: submitPath,
        headers: { authorization: p.authorization, "content-type": "application/json" },
        body: JSON.stringify({ response_data: responseData(p, seq) }),
      })
      .then(
        async (res) => {
          const text = await res.body.text();
          record.answeredAt = performance.now();
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

  // Participants: three polling loops each (session, activity, and the live results their screen shows),
  // phases spread over one interval.
  for (const p of room.participants) {
    scheduler.at(t0 + Math.random() * options.pollEveryMs, poll(p, "session"));
    scheduler.at(t0 + Math.random() * options.pollEveryMs, poll(p, "activity"));
    scheduler.at(t0 + Math.random() * options.pollEveryMs, poll(p, "results"));
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

  // Each presenter: one screen, one request at a time; a tick that finds it busy runs right after.
  const follow = (presenter: Presenter, stats: RouteStats) => {
    let busy = false;
    let pending: number | null = null;
    const tick = (scheduledAt: number): void => {
      if (scheduledAt + options.presenterEveryMs < end) scheduler.at(scheduledAt + options.presenterEveryMs, tick);
      if (busy) {
        pending ??= scheduledAt;
        return;
      }
      void run(scheduledAt);
    };
    const run = async (scheduledAt: number): Promise<void> => {
      busy = true;
      inflight++;
      let due: number | null = scheduledAt;
      while (due !== null) {
        const at: number = due;
        try {
          const { status, hasMore } = await presenter.poll();
          if (inWindow(at)) stats.record(performance.now() - at, status);
          // Following has_more is part of the same screen refresh: the next page is due now.
          due = hasMore ? performance.now() : pending;
        } catch {
          if (inWindow(at)) stats.recordNetworkError(performance.now() - at);
          due = pending;
        }
        pending = null;
      }
      inflight--;
      busy = false;
    };
    return tick;
  };
  for (const feed of feeds) scheduler.at(t0, follow(feed.presenter, feed.stats));

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
  const unanswered = inflight;
  if (unanswered > 0) {
    // Cut the rest: each counts as an error with its latency so far, and no acknowledgement can arrive after the checks read the database.
    await Promise.all([pools.polls.destroy(), pools.writes.destroy()]);
    const abortUntil = performance.now() + 10_000;
    while (inflight > 0 && performance.now() < abortUntil) await new Promise((r) => setTimeout(r, 20));
  }

  const windowSeconds = options.durationMs / 1000;
  return {
    windowSeconds,
    routes: [stats.session, stats.activity, stats.results, stats.submit, ...feeds.map((f) => f.stats)].map((s) =>
      s.summary(windowSeconds),
    ),
    submissions,
    offered: {
      pollsPerSecond: (3 * room.participants.length * 1000) / options.pollEveryMs,
      submissionsPerSecond,
      presenterPerSecond: (presenters.length * 1000) / options.presenterEveryMs,
    },
    generatorLagMs: scheduler.lag.summary(),
    unfinishedAfterDrain: unanswered,
    advisedPollMs: { min: Number.isFinite(advisedMin) ? advisedMin : 0, max: advisedMax },
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
