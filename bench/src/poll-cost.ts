/**
 * The server's own CPU for one poll, without sockets: requests go straight into the
 * server's request listener as plain objects, so what is measured is Caja's code on
 * the path (routing, guard, state, kept answer or procedure, headers), not HTTP
 * parsing or the kernel. CPU time (process.cpuUsage), so other work on the machine
 * changes it little; compare variants by alternating runs.
 * `tsx src/poll-cost.ts [route] [path] [polls] [profile dir]`: route `session`,
 * `activity`, `results` (default), `feed-cursor` or `feed-timestamp` (the presenter's
 * feed at its head, by cursor or by the newest timestamp, as in the peak phase); path `304` (the current ETag), `stale` (another
 * ETag: the kept 200) or `first` (no If-None-Match); a profile directory gets the
 * CPU profile of the measured loop only (`loop.cpuprofile`, open it in Chrome DevTools).
 * The server runs on the embedded database, with the in-memory cache.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createCajaServer, loadConfig, stderrLogger } from "@caja/server";

const [routeName = "results", pathName = "304", pollsArg = "50000", profileDir] = process.argv.slice(2);
const polls = Number(pollsArg);
const unlimited = "60000000/60s";
const app = await createCajaServer(
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    JWT_SECRET: "poll-cost-secret-0123456789abcdefghijklmnop",
    CAJA_DATA_DIR: `/tmp/caja-poll-cost-${process.pid}`,
    DATABASE_URL: "memory://",
    RATE_LIMIT_POLL: unlimited,
    RATE_LIMIT_WRITE: unlimited,
    RATE_LIMIT_JOIN: unlimited,
  }),
  { logger: stderrLogger() },
);
const base = await app.listen();

async function send(method: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

// A room through the REST API: an active session and poll, one participant who answered.
const admin = app.deps.tokens.sign({ sub: "alice", role: "admin" }, 3600).token;
const session = await send("POST", "/api/v1/sessions", { title: "poll cost" }, admin);
const activity = await send(
  "POST",
  `/api/v1/sessions/${String(session.id)}/activities`,
  { type: "poll", title: "q", config: { question: "q", options: ["a", "b"] } },
  admin,
);
await send("PATCH", `/api/v1/sessions/${String(session.id)}/status`, { status: "active" }, admin);
await send("PATCH", `/api/v1/activities/${String(activity.id)}/status`, { status: "active" }, admin);
const joined = await send("POST", "/api/v1/sessions/join", { join_code: session.join_code, nickname: "p" });
const participant = String(joined.token);
const activityPath = `/api/v1/sessions/${String(session.id)}/activities/${String(activity.id)}`;
await send("POST", `${activityPath}/responses`, { response_data: { selected_options: ["a"] } }, participant);

// The feed at its head: the cursor and the newest stamp of a page that read everything.
const feedPath = `/api/sessions/${String(session.id)}/activities/${String(activity.id)}/responses/since`;
async function firstPage(): Promise<{ next_cursor: string; items: { updated_at?: string }[] }> {
  const res = await fetch(`${base}${feedPath}/2000-01-01T00:00:00Z?limit=100`, { headers: { authorization: `Bearer ${admin}` } });
  return (await res.json()) as { next_cursor: string; items: { updated_at?: string }[] };
}
// The answer shows once it is below the feed's watermark (a few ms after its write).
let page = await firstPage();
while (page.items.length === 0) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  page = await firstPage();
}
const newest = page.items.at(-1)?.updated_at ?? "2000-01-01T00:00:00Z";

const routes: Record<string, { path: string; token: string }> = {
  session: { path: `/api/sessions/${String(session.id)}/status`, token: participant },
  activity: { path: `/api/sessions/${String(session.id)}/activities/${String(activity.id)}/status`, token: participant },
  results: { path: `${activityPath}/results`, token: participant },
  "feed-cursor": {
    path: `${feedPath}/${encodeURIComponent("2000-01-01T00:00:00Z")}?limit=100&cursor=${encodeURIComponent(page.next_cursor)}`,
    token: admin,
  },
  "feed-timestamp": { path: `${feedPath}/${encodeURIComponent(newest)}?limit=100`, token: admin },
};
const route = routes[routeName];
if (!route) throw new Error(`route: one of ${Object.keys(routes).join(", ")}`);
const { path, token } = route;
const listener = app.server.listeners("request")[0] as (req: unknown, res: unknown) => void;

/** What the router uses of a ServerResponse; resolves when the answer ends. */
class Answer extends EventEmitter {
  status = 0;
  headers: Record<string, unknown> = {};
  headersSent = false;
  constructor(private readonly done: (answer: Answer) => void) {
    super();
  }
  setHeader() {}
  writeHead(status: number, headers: Record<string, unknown>) {
    this.status = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }
  end() {
    this.emit("close");
    this.done(this);
    return this;
  }
}

function poll(ifNoneMatch?: string): Promise<Answer> {
  const headers: Record<string, string> = { host: "localhost", authorization: `Bearer ${token}` };
  if (ifNoneMatch) headers["if-none-match"] = ifNoneMatch;
  const req = Object.assign(new EventEmitter(), { url: path, method: "GET", headers, socket: { remoteAddress: "127.0.0.1" } });
  return new Promise((resolve) => listener(req, new Answer(resolve)));
}

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
  const { status } = await poll(validator);
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
await app.close();
process.exit(0);
