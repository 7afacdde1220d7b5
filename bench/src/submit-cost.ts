/**
 * What one submission costs, in the server process and in PostgreSQL: CPU µs per
 * submission (/proc of the server child, and of the database's backends) and the
 * statements and round trips it sends, counted on the wire by a relay between the
 * server and PostgreSQL (extended protocol: Execute messages are statements, Sync and
 * simple Query messages are round trips, and so are Flush messages: unprepared, the driver
 * sends Parse and Describe with a Flush and waits for the parameter types before it binds, Parse messages are statements not prepared yet).
 * CPU time, not wall time, so other work on the machine changes it little.
 * `tsx src/submit-cost.ts [submissions] [in flight] [participants]`: the submissions go
 * round robin over the participants, once without and once with an Idempotency-Key each.
 */
import { randomUUID } from "node:crypto";
import { TokenService } from "@caja/api";
import { startTcpRelay } from "@caja/testing";
import { createPool } from "./http";
import { summariseProfile } from "./profile";
import { GroupMeter, ProcessMeter, postgresPids, xactCommits } from "./resources";
import { joinAll, openRoom, responseData, type Participant } from "./setup";
import { benchDatabase, startStack, type Undo } from "./stack";
import { ErrorLedger } from "./stats";

const submissions = Number(process.argv[2] ?? 6000);
const lanes = Number(process.argv[3] ?? 32);
const participantCount = Number(process.argv[4] ?? 500);

/** Frontend messages by type letter, across every connection the relay carried. */
const sent = new Map<string, number>();

/** Counts one connection's frontend messages into `sent` (the relay gives each connection its own). */
function countFrontendMessages(): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let untyped = true; // the startup message (and an SSLRequest before it) has no type byte
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const header = untyped ? 0 : 1;
      if (pending.length < header + 4) break;
      const length = pending.readInt32BE(header);
      if (pending.length < header + length) break;
      if (untyped) {
        untyped = pending.readInt32BE(4) === 80877103; // SSLRequest: the startup message follows
      } else {
        const type = String.fromCharCode(pending[0] as number);
        sent.set(type, (sent.get(type) ?? 0) + 1);
      }
      pending = pending.subarray(header + length);
    }
  };
}

const undo: Undo = [];
try {
  const { admin, url: databaseUrl, database } = await benchDatabase(undo, "caja_cost");
  const target = new URL(databaseUrl);
  const relay = await startTcpRelay(
    { host: target.hostname, port: Number(target.port || 5432) },
    { observeClient: countFrontendMessages },
  );
  undo.push(["relay", () => relay.close()]);
  const relayed = new URL(databaseUrl);
  relayed.hostname = "127.0.0.1";
  relayed.port = String(relay.port);
  const { server, secret } = await startStack(
    {
      databaseUrl: relayed.toString(),
      redisUrl: "redis://127.0.0.1:6379/11",
      redisDriver: "native",
      workers: 1,
      serverEnv: {},
      profileDir: process.env.COST_PROFILE_DIR ?? null,
    },
    undo,
  );
  const ledger = new ErrorLedger();
  const adminToken = new TokenService({ secret }).sign({ sub: "cost-presenter", role: "admin" }, 3600).token;
  const pool = createPool(server.url, lanes);
  undo.push(["pool", () => pool.close()]);
  const room = await openRoom(pool, ledger, adminToken, "Cost room", participantCount);
  const people = await joinAll(pool, ledger, room.joinCode, participantCount, 32);
  const path = `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/responses`;
  const statuses = new Map<number, number>();
  let seq = 0;
  const submit = async (p: Participant, withKey: boolean) => {
    const s = ++seq;
    const headers: Record<string, string> = { authorization: p.authorization, "content-type": "application/json" };
    if (withKey) headers["idempotency-key"] = randomUUID();
    const res = await pool.request({
      method: "POST",
      path,
      headers,
      body: JSON.stringify({ response_data: responseData(p, s) }),
    });
    await res.body.text();
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  };
  const run = async (n: number, withKey: boolean) => {
    let next = 0;
    const lane = async () => {
      while (next < n) {
        const i = next++;
        await submit(people[i % people.length] as Participant, withKey);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  };
  await run(2000, false); // warm-up: JIT warm, every participant has an answer (later ones replace it)
  // COST_KEYS=without or =with runs one phase only (e.g. to profile it alone).
  const phases = { without: [false], with: [true] }[process.env.COST_KEYS ?? ""] ?? [false, true];
  for (const withKey of phases) {
    statuses.clear();
    sent.clear();
    const serverMeter = new ProcessMeter(server.pid);
    const pg = new GroupMeter(await postgresPids(admin, database));
    const xactStart = await xactCommits(admin, database);
    serverMeter.start();
    pg.begin();
    const started = performance.now();
    await run(submissions, withKey);
    const seconds = (performance.now() - started) / 1000;
    const serverUsage = serverMeter.stop();
    const pgPercent = pg.end();
    await new Promise((r) => setTimeout(r, 1200)); // backends publish their counters about once a second
    const xacts = (await xactCommits(admin, database)) - xactStart;
    const per = (n: number | undefined) => ((n ?? 0) / submissions).toFixed(2);
    console.log(
      `${withKey ? "with Idempotency-Key" : "no key"}: ${submissions} submissions, ${lanes} in flight, ${(submissions / seconds).toFixed(0)}/s; ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}\n` +
        `  server ${((serverUsage.cpuSeconds * 1e6) / submissions).toFixed(0)} µs CPU/submission, ` +
        `PostgreSQL ${(((pgPercent / 100) * seconds * 1e6) / submissions).toFixed(0)} µs CPU/submission\n` +
        `  per submission: ${per((sent.get("S") ?? 0) + (sent.get("H") ?? 0) + (sent.get("Q") ?? 0))} round trips, ${per(sent.get("E"))} statements (Execute), ` +
        `${per(sent.get("P"))} Parse, ${per(sent.get("Q"))} simple Query, ${per(xacts)} transactions`,
    );
  }
} finally {
  for (const [, fn] of undo.reverse()) await fn().catch(() => undefined);
}
const profileDir = process.env.COST_PROFILE_DIR;
const profile = profileDir ? summariseProfile(profileDir, 40) : null;
if (profile) {
  console.log(`server profile (${profile.file}), self time of the busy part:`);
  for (const f of profile.top) console.log(`  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  console.log(`  by package: ${profile.byPackage.map((p) => `${p.name} ${p.selfPercent.toFixed(1)}%`).join(", ")}`);
}
process.exit(0);
