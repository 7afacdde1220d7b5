/**
 * What the request log and the metrics cost a poll (issue 19): two servers in this one
 * process, the same room on each, polled in process as poll-cost.ts does, alternately
 * round after round so that both see the same machine:
 * - bare: no request log (errors only) and no metrics;
 * - observed: what `pnpm start` runs, a JSON line per request (the server's logger, here to
 *   /dev/null) and the request histogram of /metrics; plus one scrape of /metrics per round,
 *   as Prometheus would every 15 s.
 * Prints the CPU per poll of each, per round and as the median of the rounds. With `split`,
 * two more servers tell the two apart: `log` (the request log alone) and `metrics` (alone).
 * `tsx src/observe-cost.ts [route] [path] [polls per round] [rounds] [split]`: route and path
 * as in poll-cost.ts (default `session` `304`).
 */
import { openSync, writeSync } from "node:fs";
import { createLogger, LineWriter, stderrLogger } from "@caja/server";
import { startRoom, type Room } from "./in-process";

const [routeName = "session", pathName = "304", pollsArg = "20000", roundsArg = "6", split] = process.argv.slice(2);
const polls = Number(pollsArg);
const rounds = Number(roundsArg);

// Where `pnpm start` writes its lines when stdout is a file or a pipe: synchronous writes, one per turn of the event loop.
const devNullFd = openSync("/dev/null", "w");
const devNull = { write: (chunk: string) => writeSync(devNullFd, chunk) };

const requestLog = () => createLogger({ level: "info", destination: new LineWriter(devNull) });
const variants: Array<{ name: string; room: Room }> = [
  { name: "bare", room: await startRoom({ logger: stderrLogger(), metrics: false }) },
  { name: "observed", room: await startRoom({ logger: await requestLog() }) },
];
if (split === "split") {
  variants.push({ name: "log", room: await startRoom({ logger: await requestLog(), metrics: false }) });
  variants.push({ name: "metrics", room: await startRoom({ logger: stderrLogger() }) });
}

/** Back to the event loop now and then, as a server between sockets' reads: the log's writes run, and the
 * poll interval stays put (a loop that never yields reads as a stalled event loop, which lengthens the
 * interval in every status body: a new ETag). */
const breathe = (i: number) => (i % 50 === 49 ? new Promise((resolve) => setImmediate(resolve)) : undefined);

const runs = [];
for (const { name, room } of variants) {
  const route = room.routes[routeName];
  if (!route) throw new Error(`route: one of ${Object.keys(room.routes).join(", ")}`);
  for (let i = 0; i < 5000; i++) {
    await room.poll(route.path, route.token);
    await breathe(i);
  }
  // The current ETag, read again before each run: a status body's poll interval follows the event loop's delay.
  const validator = async () =>
    pathName === "304"
      ? String((await room.poll(route.path, route.token)).headers.etag)
      : pathName === "stale"
        ? 'W/"stale"'
        : undefined;
  runs.push({
    name,
    room,
    poll: (etag: string | undefined) => room.poll(route.path, route.token, etag),
    validator,
    perPoll: [] as number[],
  });
}

const metricsUrl = `${runs[1]?.room.app.url ?? ""}/metrics`;
for (let round = 0; round < rounds; round++) {
  // Alternate which goes first: a round's second run finds the caches the first one warmed.
  for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
    const statuses = new Map<number, number>();
    const etag = await run.validator();
    const before = process.cpuUsage();
    for (let i = 0; i < polls; i++) {
      const { statusCode } = await run.poll(etag);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
      await breathe(i);
    }
    // The log's writes land on the event loop's next turns: let them run inside the measured window.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const used = process.cpuUsage(before);
    run.perPoll.push((used.user + used.system) / polls);
    const answered = [...statuses].map(([status, n]) => `${n} x ${status}`).join(", ");
    console.log(
      `round ${round + 1} ${run.name.padEnd(8)} ${((used.user + used.system) / polls).toFixed(2)} us CPU per poll (${answered})`,
    );
  }
  const scrape = await fetch(metricsUrl, { headers: { authorization: "Bearer bench-metrics-token-0123456789" } });
  if (scrape.status !== 200) throw new Error(`/metrics answered ${scrape.status}`);
  await scrape.text();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const [bare, observed, ...parts] = runs.map((run) => median(run.perPoll));
if (parts.length > 0)
  console.log(
    runs
      .slice(2)
      .map((run, i) => `${run.name} alone ${parts[i]?.toFixed(2)} us`)
      .join(", "),
  );
console.log(
  `${routeName} ${pathName}: bare ${bare?.toFixed(2)} us, observed ${observed?.toFixed(2)} us per poll (median of ${rounds} rounds of ${polls}): ` +
    `the request log and metrics cost ${((observed ?? 0) - (bare ?? 0)).toFixed(2)} us per request`,
);
for (const run of runs) await run.room.app.close();
process.exit(0);
