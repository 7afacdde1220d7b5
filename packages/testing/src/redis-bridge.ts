/**
 * Test/dev infrastructure only, never a production component: an HTTP server
 * speaking Upstash's Redis REST protocol in front of a real Redis, so that
 * `@upstash/redis` and `@upstash/ratelimit` run against real Redis semantics
 * (Upstash's own emulator, SRH, ships only as a Docker image).
 *
 * Everything shares one Redis connection. Each HTTP request writes its commands
 * in a single socket write, so a MULTI..EXEC batch cannot interleave with other
 * requests; the price is that blocking commands stall every client.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";

export interface RedisBridgeOptions {
  /** `redis://[user:password@]host:port[/db]`; defaults to the local test Redis. */
  redisUrl?: string;
  /** Bearer token clients must send; random when omitted. */
  token?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RedisBridge {
  /** Base URL for `new Redis({ url, token })`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  token: string;
  /** Stops listening and drops keep-alive sockets at once, so clients see Redis as gone. */
  close(): Promise<void>;
}

class RedisReplyError {
  constructor(readonly message: string) {}
}

/** Simple strings stay `string`, bulk strings are `Buffer`: Upstash encodes them differently. */
type Reply = string | Buffer | number | null | RedisReplyError | Reply[];
type Json = string | number | null | Json[] | { [key: string]: Json };
type Command = string[];

/** One RESP2 reply starting at `start`, or undefined while more bytes are needed. */
function parseReply(buf: Buffer, start: number): [Reply, number] | undefined {
  const lineEnd = buf.indexOf("\r\n", start);
  if (lineEnd < 0) return undefined;
  const line = buf.toString("utf8", start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (buf[start]) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new RedisReplyError(line), next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return undefined;
      return [buf.subarray(next, next + len), next + len + 2];
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buf, pos);
        if (!parsed) return undefined;
        items.push(parsed[0]);
        pos = parsed[1];
      }
      return [items, pos];
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[start]}`);
  }
}

function encodeCommands(commands: Command[]): Buffer {
  const parts: Buffer[] = [];
  for (const cmd of commands) {
    parts.push(Buffer.from(`*${cmd.length}\r\n`));
    for (const arg of cmd) {
      const bytes = Buffer.from(arg, "utf8");
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
    }
  }
  return Buffer.concat(parts);
}

/** A minimal pipelining RESP2 client: replies arrive in the order commands were written. */
class RedisConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve(r: Reply): void; reject(e: Error): void }> = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {}); // "close" follows and fails the waiters
    socket.on("close", () => this.failAll(new Error("Redis connection closed")));
  }

  static async open(url: URL): Promise<RedisConnection> {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 6379) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const conn = new RedisConnection(socket);
    const setup: Command[] = [];
    if (url.password)
      setup.push(["AUTH", ...(url.username ? [decodeURIComponent(url.username)] : []), decodeURIComponent(url.password)]);
    const db = url.pathname.slice(1);
    if (db) setup.push(["SELECT", db]);
    for (const reply of await conn.send(setup)) {
      if (reply instanceof RedisReplyError) {
        conn.close();
        throw new Error(`Redis setup failed: ${reply.message}`);
      }
    }
    return conn;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  send(commands: Command[]): Promise<Reply[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error("Redis connection closed"));
    const replies = commands.map(() => new Promise<Reply>((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.socket.write(encodeCommands(commands));
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      let parsed: [Reply, number] | undefined;
      try {
        parsed = parseReply(this.buffer, pos);
      } catch (err) {
        this.failAll(err instanceof Error ? err : new Error(String(err)));
        this.socket.destroy();
        return;
      }
      if (!parsed) break;
      pos = parsed[1];
      this.waiting.shift()?.resolve(parsed[0]);
    }
    this.buffer = this.buffer.subarray(pos);
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}

/** They would change the shared connection's state under every other client. */
const REFUSED = new Set([
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SELECT",
  "AUTH",
  "HELLO",
  "RESET",
  "QUIT",
  "MONITOR",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
]);

/**
 * Mirrors the client's `decode()`: with `Upstash-Encoding: base64` every string,
 * nested ones included, is base64 except a top-level "OK", which the client
 * passes through untouched (decoding "OK" as base64 would yield garbage).
 */
function toJson(reply: Reply, base64: boolean, topLevel = true): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64, false));
  if (reply instanceof RedisReplyError) return toJson(reply.message, base64, false);
  if (typeof reply === "string") {
    return base64 && !(topLevel && reply === "OK") ? Buffer.from(reply, "utf8").toString("base64") : reply;
  }
  return reply.toString(base64 ? "base64" : "utf8");
}

function toEntry(reply: Reply, base64: boolean): Json {
  return reply instanceof RedisReplyError ? { error: reply.message } : { result: toJson(reply, base64) };
}

/** The client serialises numbers and booleans as JSON values rather than strings. */
function asCommand(value: unknown): Command | string {
  if (!Array.isArray(value) || value.length === 0) return "ERR a command must be a non-empty JSON array";
  const cmd: string[] = [];
  for (const arg of value) {
    if (typeof arg === "string") cmd.push(arg);
    else if (typeof arg === "number" || typeof arg === "boolean") cmd.push(String(arg));
    else return "ERR command arguments must be strings, numbers or booleans";
  }
  const name = cmd[0]?.toUpperCase() ?? "";
  return REFUSED.has(name) ? `ERR ${name} is not supported by the test bridge` : cmd;
}

function asCommandList(value: unknown): Command[] | string {
  if (!Array.isArray(value) || value.length === 0) return "ERR expected a non-empty JSON array of commands";
  const cmds: Command[] = [];
  for (const item of value) {
    const cmd = asCommand(item);
    if (typeof cmd === "string") return cmd;
    cmds.push(cmd);
  }
  return cmds;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function reply(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Transactions fail as a whole (400) only when a command was rejected while queueing. */
async function multiExec(redis: RedisConnection, cmds: Command[], base64: boolean): Promise<[number, Json]> {
  const replies = await redis.send([["MULTI"], ...cmds, ["EXEC"]]);
  const exec = replies[replies.length - 1] ?? null;
  if (!Array.isArray(exec)) {
    const cause = replies.find((r) => r instanceof RedisReplyError) ?? exec;
    return [400, { error: cause instanceof RedisReplyError ? cause.message : "ERR transaction aborted" }];
  }
  return [200, exec.map((r) => toEntry(r, base64))];
}

export async function startRedisBridge(opts: RedisBridgeOptions = {}): Promise<RedisBridge> {
  const redisUrl = new URL(opts.redisUrl ?? "redis://127.0.0.1:6379");
  const token = opts.token ?? randomBytes(16).toString("hex");
  let current: RedisConnection | undefined;
  let opening: Promise<RedisConnection> | undefined;
  // Reconnect lazily so a Redis restart between tests does not wedge the bridge.
  const connection = (): Promise<RedisConnection> => {
    if (current && !current.closed) return Promise.resolve(current);
    opening ??= RedisConnection.open(redisUrl)
      .then((conn) => (current = conn))
      .finally(() => (opening = undefined));
    return opening;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { error: "Unauthorized" });
    if (req.method !== "POST") return reply(res, 405, { error: "ERR only POST with a JSON body is supported" });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return reply(res, 400, { error: "ERR request body is not valid JSON" });
    }
    const encoding = req.headers["upstash-encoding"];
    const base64 = typeof encoding === "string" && encoding.toLowerCase() === "base64";
    const path = new URL(req.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "");

    if (path === "") {
      const cmd = asCommand(body);
      if (typeof cmd === "string") return reply(res, 400, { error: cmd });
      const [result = null] = await (await connection()).send([cmd]);
      return result instanceof RedisReplyError
        ? reply(res, 400, { error: result.message })
        : reply(res, 200, { result: toJson(result, base64) });
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      const cmds = asCommandList(body);
      if (typeof cmds === "string") return reply(res, 400, { error: cmds });
      const redisConn = await connection();
      if (path === "/multi-exec") return reply(res, ...(await multiExec(redisConn, cmds, base64)));
      const replies = await redisConn.send(cmds);
      return reply(
        res,
        200,
        replies.map((r) => toEntry(r, base64)),
      );
    }
    reply(res, 404, { error: `ERR ${path} is not supported by the test bridge` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("redis bridge: unexpected server address");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    token,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await opening?.catch(() => undefined);
      current?.close();
    },
  };
}
