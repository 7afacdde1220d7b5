import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UUID } from "./fixtures";
import { startTestServer } from "./harness";
import { parseScrape } from "./scrape";
import { startServerProcess, type ServerProcess } from "./server-process";

/**
 * Issue 19: the request log and /metrics of `pnpm start` as an operator runs it (src/main.ts in a
 * process of its own, on PostgreSQL): its stdout read line by line as JSON, /metrics read by a real
 * Prometheus text parser after known traffic.
 */
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const NICKNAME = "Zebulon-Quill";
const ANSWER = "my-secret-answer-text-4711";

interface LogLine {
  level: number;
  msg: string;
  pid?: number;
  hostname?: string;
  req_id?: string;
  method?: string;
  route?: string;
  status?: number;
  duration_ms?: number;
  error_code?: string;
}

describe("a server process's request log and /metrics", () => {
  let server: ServerProcess;
  let database: Awaited<ReturnType<typeof createFreshPostgres>>;
  let admin: string;
  let participant = "";
  let sessionPath = "";
  /** Every request the test sends names its id (unless the test names one), so its log line can be found. */
  let sent = 0;
  const named: string[] = [];
  const send = async (
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const id = `t-${++sent}`;
    if (!init.headers?.["x-request-id"]) named.push(id);
    const res = await fetch(server.url + path, {
      method,
      headers: {
        "x-request-id": id,
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { id, status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    database = await createFreshPostgres();
    server = await startServerProcess({
      DATABASE_URL: database.url,
      METRICS_TOKEN,
      DB_POOL_SIZE: "4",
      RATE_LIMIT_JOIN: "2/60s",
    });
    admin = server.adminToken();
    const session = await send("POST", "/api/v1/sessions", { token: admin, body: { title: "Observed" } });
    const activity = await send("POST", `/api/v1/sessions/${String(session.body.id)}/activities`, {
      token: admin,
      body: { type: "note", title: "Say something", config: {} },
    });
    await send("PATCH", `/api/v1/sessions/${String(session.body.id)}/status`, { token: admin, body: { status: "active" } });
    await send("PATCH", `/api/v1/activities/${String(activity.body.id)}/status`, { token: admin, body: { status: "active" } });
    await send("GET", `/api/v1/join/${String(session.body.join_code)}/nickname?nickname=${NICKNAME}`);
    const joined = await send("POST", "/api/v1/sessions/join", {
      body: { join_code: session.body.join_code, nickname: NICKNAME },
    });
    participant = String(joined.body.token);
    const answered = await send(
      "POST",
      `/api/v1/sessions/${String(session.body.id)}/activities/${String(activity.body.id)}/responses`,
      {
        token: participant,
        body: { response_data: { text: ANSWER } },
      },
    );
    expect(answered.status).toBe(201);
    sessionPath = `/api/sessions/${String(session.body.id)}/status`;
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
  });

  const logLines = () =>
    server.stdout
      .join("")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as LogLine);
  /** Lines are written asynchronously: wait for the one a request left. */
  const lineOf = async (id: string) => {
    for (let waited = 0; waited < 5000; waited += 20) {
      const found = logLines().filter((line) => line.req_id === id);
      if (found.length > 0) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no log line for request ${id}`);
  };

  it("returns a sane X-Request-Id as sent, and a new UUID for one that is too long or has other characters", async () => {
    const kept = await send("GET", "/health", { headers: { "x-request-id": "lb-2f9c:7.a_b" } });
    expect(kept.headers.get("x-request-id")).toBe("lb-2f9c:7.a_b");
    for (const bad of ["x".repeat(65), "has space", `Bearer ${admin}`]) {
      const replaced = await send("GET", "/health", { headers: { "x-request-id": bad } });
      expect(replaced.headers.get("x-request-id")).toMatch(UUID);
    }
    expect(await lineOf("lb-2f9c:7.a_b")).toHaveLength(1);
  });

  it("writes one JSON line per request: method, route template, status, duration, request id and instance; errors with their code", async () => {
    // A 304 to the ETag just received (again, should the status change between the two: its poll interval on a busy machine).
    let revalidated = { id: "", status: 0 };
    for (let tries = 0; tries < 5 && revalidated.status !== 304; tries++) {
      const first = await send("GET", sessionPath, { token: participant });
      expect(first.status).toBe(200);
      revalidated = await send("GET", sessionPath, {
        token: participant,
        headers: { "if-none-match": String(first.headers.get("etag")) },
      });
    }
    expect(revalidated.status).toBe(304);
    const [line] = await lineOf(revalidated.id);
    expect(line).toMatchObject({
      level: 30,
      msg: "request",
      req_id: revalidated.id,
      method: "GET",
      route: "/api/sessions/{session_id}/status",
      status: 304,
      pid: server.child.pid,
      hostname: expect.any(String),
    });
    expect(line?.duration_ms).toBeGreaterThan(0);
    const missing = await send("GET", "/api/v1/sessions/999999", { token: admin });
    expect((await lineOf(missing.id))[0]).toMatchObject({
      route: "/api/v1/sessions/{session_id}",
      status: 404,
      error_code: "NOT_FOUND",
    });
    const unknown = await send("GET", "/api/nowhere/1234");
    expect((await lineOf(unknown.id))[0]).toMatchObject({ route: "/api/{unmatched}", status: 404 });
    const trpc = await send(
      "GET",
      `/trpc/session.status?input=${encodeURIComponent(JSON.stringify({ session_id: 1, nickname: NICKNAME }))}`,
      {
        token: participant,
      },
    );
    expect((await lineOf(trpc.id))[0]).toMatchObject({ route: "/trpc/session.status" });
    // Every request the test named so far has exactly one line, and every line on stdout is JSON.
    for (const id of named)
      expect(
        logLines().filter((l) => l.req_id === id),
        `request ${id}`,
      ).toHaveLength(1);
  });

  it("answers /metrics only with the bearer token in METRICS_TOKEN (401 otherwise)", async () => {
    expect((await send("GET", "/metrics")).status).toBe(401);
    expect((await send("GET", "/metrics", { token: "wrong-token-0123456789abcdef" })).status).toBe(401);
    expect((await send("GET", "/metrics", { token: admin })).status).toBe(401);
  });

  it("counts the traffic it served, parsed by a Prometheus text parser", async () => {
    const status = (await send("GET", sessionPath, { token: participant })).headers.get("etag") ?? "";
    const count = async () => {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseScrape(await res.text());
    };
    const before = await count();
    const polls = { route: "/api/sessions/{session_id}/status", method: "GET" };
    const notModified = before.count("caja_http_request_duration_seconds", { ...polls, status: "304" }) ?? 0;
    // Each is a 304 unless the status changed meanwhile (its poll interval grows on a busy machine): counted as answered.
    const answered = { "200": 0, "304": 0 };
    const before200 = before.count("caja_http_request_duration_seconds", { ...polls, status: "200" }) ?? 0;
    for (let i = 0; i < 5; i++) {
      const poll = await send("GET", sessionPath, { token: participant, headers: { "if-none-match": status } });
      answered[poll.status === 304 ? "304" : "200"]++;
    }
    expect(answered["304"]).toBeGreaterThan(0);
    // Joins are limited to 2 a minute per address here: one was spent, the next passes, the third is refused.
    const joinCode = /"join_code":"(\w+)"/.exec(
      JSON.stringify((await send("GET", "/api/v1/sessions", { token: admin })).body),
    )?.[1];
    const joins = [await send("POST", "/api/v1/sessions/join", { body: { join_code: joinCode, nickname: "Second" } })];
    joins.push(await send("POST", "/api/v1/sessions/join", { body: { join_code: joinCode, nickname: "Third" } }));
    expect(joins.map((j) => j.status)).toEqual([201, 429]);
    expect((await lineOf(joins[1]?.id ?? ""))[0]).toMatchObject({ status: 429, error_code: "RATE_LIMITED" });

    const after = await count();
    expect(after.type("caja_http_request_duration_seconds")).toBe("HISTOGRAM");
    expect(after.count("caja_http_request_duration_seconds", { ...polls, status: "304" })).toBe(notModified + answered["304"]);
    expect(after.count("caja_http_request_duration_seconds", { ...polls, status: "200" })).toBe(before200 + answered["200"]);
    expect(
      after.count("caja_http_request_duration_seconds", { route: "/api/v1/sessions/join", method: "POST", status: "429" }),
    ).toBe(1);
    expect(after.value("caja_rate_limit_refusals_total", { class: "join" })).toBe(1);
    expect(after.value("caja_rate_limit_refusals_total", { class: "write" })).toBe(0);
    expect(after.value("caja_cache_hits_total", { layer: "local" })).toBeGreaterThan(
      before.value("caja_cache_hits_total", { layer: "local" }) ?? 0,
    );
    expect(after.value("caja_cache_loads_total")).toBeGreaterThan(0);
    expect(after.value("caja_cache_misses_total")).toBeGreaterThan(0);
    expect(after.type("caja_cache_reloads_total")).toBe("COUNTER");
    expect(after.value("caja_db_pool_size")).toBe(4);
    expect(after.value("caja_db_pool_in_use")).toBeGreaterThanOrEqual(0);
    expect(after.type("caja_db_pool_waits_total")).toBe("COUNTER");
    expect(after.value("caja_db_statement_timeouts_total")).toBe(0);
    // POLL_INTERVAL_MS (2 s), doubled or quadrupled while the event loop falls behind (a busy machine).
    expect([2, 4, 8]).toContain(after.value("caja_poll_interval_seconds"));
    expect(after.type("nodejs_eventloop_lag_p99_seconds")).toBe("GAUGE");
    // The Grafana dashboard (deploy/grafana) queries only metrics the server has.
    const dashboard = readFileSync(
      fileURLToPath(new URL("../../../deploy/grafana/caja-dashboard.json", import.meta.url)),
      "utf8",
    );
    const queried = new Set([...dashboard.matchAll(/\b(?:caja|nodejs|process)_[a-z0-9_]+/g)].map(([name]) => name));
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) {
      expect(after.type(name) ?? after.type(name.replace(/_(bucket|count|sum)$/, "")), name).toBeDefined();
    }
    // The scrape before this one is counted too, under its fixed label.
    expect(after.count("caja_http_request_duration_seconds", { route: "/metrics", status: "200" })).toBeGreaterThanOrEqual(1);
  });

  it("never writes a token, a nickname or an answer's text anywhere in its output", async () => {
    await lineOf(named.at(-1) ?? "");
    const output = server.output.join("");
    for (const secret of [admin, participant, NICKNAME, ANSWER, METRICS_TOKEN]) expect(output).not.toContain(secret);
    expect(output).toContain('"route":"/api/v1/join/{join_code}/nickname"');
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  it("does not exist (404), and requests are still answered with their X-Request-Id", async () => {
    const server = await startTestServer();
    try {
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(404);
      expect(((await metrics.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
      const health = await fetch(`${server.url}/health`, { headers: { "x-request-id": "abc" } });
      expect(health.headers.get("x-request-id")).toBe("abc");
    } finally {
      await server.stop();
    }
  });
});
