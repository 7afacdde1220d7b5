// Analysis helper (not committed): profile the server under wrk on one polling route.
import { TokenService } from "@caja/api";
import { createFreshPostgres } from "@caja/testing";
import { callJson, createPool, paths } from "./http";
import { runTool } from "./peak-tools";
import { ProcessMeter } from "./resources";
import { peakFixture } from "./setup";
import { startStack, type Undo } from "./stack";
import { ErrorLedger } from "./stats";
import { summariseProfile } from "./profile";
import { rmSync } from "node:fs";

const which = process.argv[2] ?? "session";
const use304 = process.argv[3] === "304";
const secs = Number(process.argv[4] ?? 15);
const dir = `/tmp/benchexp/prof-${which}-${use304 ? 304 : 200}`;
rmSync(dir, { recursive: true, force: true });
const undo: Undo = [];
const fresh = await createFreshPostgres("caja_bench");
const stack = await startStack({ databaseUrl: fresh.url, redisUrl: "redis://127.0.0.1:6379/11", serverEnv: {}, profileDir: dir }, undo);
const ledger = new ErrorLedger();
const pool = createPool(stack.server.url, 2);
const admin = new TokenService({ secret: stack.secret }).sign({ sub: "x", role: "admin" }, 3600).token;
const fx = await peakFixture(pool, ledger, admin);
const route = which === "session" ? { path: paths.sessionStatus(fx.sessionId), token: fx.participantToken }
  : which === "activity" ? { path: paths.activityStatus(fx.sessionId, fx.activityId), token: fx.participantToken }
  : which === "baseline" ? { path: "/", token: "x" }
  : { path: paths.feed(fx.sessionId, fx.activityId, "2000-01-01T00:00:00Z", fx.feedCursor, 100), token: admin };
const headers: Record<string, string> = { authorization: `Bearer ${route.token}` };
if (use304) headers["if-none-match"] = (await callJson(pool, ledger, "GET", route.path, { token: route.token })).etag ?? "";
const base = which === "baseline" ? stack.baseline.url : stack.server.url;
await runTool("wrk", { url: base + route.path, headers, connections: 32, seconds: 3 });
import { readFileSync } from "node:fs";
const ut = (pid: number) => { const st = readFileSync(`/proc/${pid}/stat`, "utf8"); const f = st.slice(st.lastIndexOf(")") + 2).split(" "); return [Number(f[11]), Number(f[12])]; };
const target = which === "baseline" ? stack.baseline.pid : stack.server.pid;
const before = ut(target);
const m = new ProcessMeter(target); m.start();
import { spawn } from "node:child_process";
const tracer = process.env.STRACE ? spawn("strace", ["-c", "-f", "-p", String(target), "-o", `/tmp/benchexp/strace-${which}-${use304 ? 304 : 200}.txt`]) : null;
const run = await runTool("wrk", { url: base + route.path, headers, connections: 32, seconds: secs });
const u = m.stop();
if (tracer) { tracer.kill("SIGINT"); await new Promise((r) => tracer.on("exit", r)); }
const after = ut(target);
console.log("utime ticks", after[0]! - before[0]!, "stime ticks", after[1]! - before[1]!);
const n = Object.entries(run.statuses).reduce((a, [k, v]) => a + (k === "error" ? 0 : v), 0);
console.log(which, use304 ? 304 : 200, (n / run.seconds).toFixed(0), "req/s", run.statuses, "cpu µs/req", ((u.cpuSeconds * 1e6) / n).toFixed(0));
await pool.close();
for (const [, step] of undo.reverse()) await step();
await fresh.drop();
const prof = summariseProfile(dir, 40);
console.log("idle", prof?.idleMs.toFixed(0), "total", prof?.totalMs.toFixed(0));
for (const f of prof?.top ?? []) console.log(f.selfPercent.toFixed(1).padStart(5), f.name, f.where);
console.log(prof?.byPackage.map((p) => `${p.name} ${p.selfPercent.toFixed(1)}`).join(", "));
