import { EventEmitter } from "node:events";
import { createCajaServer, loadConfig, stderrLogger, type CajaServer, type CreateServerOptions } from "@caja/server";

/**
 * A server on the embedded database with a room built through its REST API (an active
 * session and poll, one participant who answered), and polls sent straight into its
 * request listener as plain objects: what is measured is Caja's code on the path (routing,
 * guard, state, kept answer or procedure, headers, its log line and metrics), not HTTP
 * parsing or the kernel. For poll-cost.ts and observe-cost.ts.
 */
export interface Room {
  app: CajaServer;
  /** Each polled route: its path and whose token polls it. */
  routes: Record<string, { path: string; token: string }>;
  /** One poll of `path` as `token`, with If-None-Match when given; resolves when its answer ends. */
  poll(path: string, token: string, ifNoneMatch?: string): Promise<Answer>;
}

const unlimited = "60000000/60s";

export async function startRoom(options: CreateServerOptions = { logger: stderrLogger() }): Promise<Room> {
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
      METRICS_TOKEN: "bench-metrics-token-0123456789",
    }),
    options,
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
    const res = await fetch(`${base}${feedPath}/2000-01-01T00:00:00Z?limit=100`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return (await res.json()) as { next_cursor: string; items: { updated_at?: string }[] };
  }
  // The answer shows once it is below the feed's watermark (a few ms after its write).
  let page = await firstPage();
  while (page.items.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    page = await firstPage();
  }
  const newest = page.items.at(-1)?.updated_at ?? "2000-01-01T00:00:00Z";

  const listener = app.server.listeners("request")[0] as (req: unknown, res: unknown) => void;
  return {
    app,
    routes: {
      session: { path: `/api/sessions/${String(session.id)}/status`, token: participant },
      activity: { path: `/api/sessions/${String(session.id)}/activities/${String(activity.id)}/status`, token: participant },
      results: { path: `${activityPath}/results`, token: participant },
      "feed-cursor": {
        path: `${feedPath}/${encodeURIComponent("2000-01-01T00:00:00Z")}?limit=100&cursor=${encodeURIComponent(page.next_cursor)}`,
        token: admin,
      },
      "feed-timestamp": { path: `${feedPath}/${encodeURIComponent(newest)}?limit=100`, token: admin },
    },
    poll(path, token, ifNoneMatch) {
      const headers: Record<string, string> = { host: "localhost", authorization: `Bearer ${token}` };
      if (ifNoneMatch) headers["if-none-match"] = ifNoneMatch;
      const req = Object.assign(new EventEmitter(), {
        url: path,
        method: "GET",
        headers,
        socket: { remoteAddress: "127.0.0.1" },
      });
      return new Promise((resolve) => listener(req, new Answer(req, resolve)));
    },
  };
}

/** What the router and the request log use of a ServerResponse; resolves when the answer ends. */
class Answer extends EventEmitter {
  statusCode = 200;
  headers: Record<string, unknown> = {};
  headersSent = false;
  writableFinished = false;
  constructor(
    readonly req: EventEmitter,
    private readonly done: (answer: Answer) => void,
  ) {
    super();
  }
  setHeader() {}
  writeHead(status: number, headers: Record<string, unknown>) {
    this.statusCode = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }
  end() {
    this.writableFinished = true;
    this.emit("close");
    this.done(this);
    return this;
  }
}
