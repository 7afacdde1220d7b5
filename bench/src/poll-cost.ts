/**
 * The server's own CPU for one poll, without sockets: requests go straight into the
 * server's request listener as plain objects, so what is measured is Caja's code on
 * the path (routing, guard, state, kept answer or procedure, headers, request metrics; the
 * request log is off here: observe-cost.ts measures it and the metrics), not HTTP
 * parsing or the kernel. CPU time (process.cpuUsage), so other work on the machine
 * changes it little; compare variants by alternating runs.
 * `tsx src/poll-cost.ts [route] [path] [polls] [profile dir]`: route `session`,
 * `activity`, `results` (default), `feed-cursor` or `feed-timestamp` (the presenter's
 * feed at its head, by cursor or by the newest timestamp, as in the peak phase); path `304` (the current ETag), `stale` (another
 * ETag: the kept 200) or `first` (no If-None-Match); a profile directory gets the
 * CPU profile of the measured loop only (`loop.cpuprofile`, open it in Chrome DevTools).
 * The server runs on the embedded database, with the in-memory cache.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { startRoom } from "./in-process";

const [routeName = "results", pathName = "304", pollsArg = "50000", profileDir] = process.argv.slice(2);
const polls = Number(pollsArg);
const room = await startRoom();
const route = room.routes[routeName];
if (!route) throw new Error(`route: one of ${Object.keys(room.routes).join(", ")}`);
const { path, token } = route;
const poll = (ifNoneMatch?: string) => room.poll(path, token, ifNoneMatch);

const etag = String((await poll()).headers.etag);
const validator = pathName === "304" ? etag : pathName === "stale" ? 'W/"stale"' : undefined;
for (let i = 0; i < 5000; i++) await poll(validator);

const profiler = new Session();
if (profileDir) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 50 });
  await profiler.post("Profiler.start");
}
const statuses = new Map<number, number>();
const before = process.cpuUsage();
for (let i = 0; i < polls; i++) {
  const { statusCode: status } = await poll(validator);
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}
const used = process.cpuUsage(before);
if (profileDir) {
  const { profile } = await profiler.post("Profiler.stop");
  mkdirSync(profileDir, { recursive: true });
  writeFileSync(`${profileDir}/loop.cpuprofile`, JSON.stringify(profile));
}
const answered = [...statuses].map(([status, n]) => `${n} x ${status}`).join(", ");
console.log(`${routeName} ${pathName}: ${((used.user + used.system) / polls).toFixed(2)} us CPU per poll (${answered})`);
await room.app.close();
process.exit(0);
