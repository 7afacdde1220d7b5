import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "@caja/api";
import { proceduresOf } from "@caja/openapi";
import { Api } from "./fixtures";
import {
  hostileString,
  percentEncode,
  restRequest,
  trpcRequest,
  type DocumentOperation,
  type FuzzRequest,
  type FuzzWorld,
} from "./fuzz-arbitraries";
import { startTestServer, type TestServer } from "./harness";

/**
 * Property: whatever arrives (every REST operation of the OpenAPI document and every
 * tRPC procedure, with hostile paths, bodies and headers; see fuzz-arbitraries.ts),
 * the answer is a success or a 4xx in the error format, never a 5xx or a stack.
 * A bounded run here; `pnpm test:fuzz` runs many more (CAJA_FUZZ_RUNS, CAJA_FUZZ_SEED).
 */
const RUNS = Number(process.env.CAJA_FUZZ_RUNS ?? 100);
const SEED = process.env.CAJA_FUZZ_SEED === undefined ? undefined : Number(process.env.CAJA_FUZZ_SEED);
// Generous per request: the machine is loaded; a request that never gets an answer fails the property.
const ANSWER_TIMEOUT_MS = 20_000;

let server: TestServer;
let webDir: string;
let world: FuzzWorld;
let operations: DocumentOperation[];
const tally = new Map<string, Record<string, number>>();

beforeAll(async () => {
  // The web app answers other GETs: a built one, so a missing build (503) is not what is measured.
  webDir = mkdtempSync(join(tmpdir(), "caja-fuzz-web-"));
  writeFileSync(join(webDir, "index.html"), "<!doctype html><title>caja</title>");
  server = await startTestServer({ CAJA_WEB_DIR: webDir });
  const api = new Api(server);
  const live = await api.live("alice", "Ana");
  const other = await api.live("bob", "Ben");
  const draft = await api.activity(live.token, live.session.id);
  const second = await api.join(live.session.join_code, "Cy");
  world = {
    sessionIds: [live.session.id, other.session.id],
    activityIds: [live.activity.id, other.activity.id, draft.id],
    participantIds: [live.participant.id, second.participant.id, other.participant.id],
    joinCodes: [live.session.join_code, other.session.join_code],
    tokens: [live.token, other.token, live.participantToken, second.token, other.participantToken],
  };
  operations = documentOperations((await api.request("GET", "/openapi.json")).body as OpenApiDocument);
});

afterAll(async () => {
  const rows = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b));
  console.log(
    `fuzz: ${RUNS} runs per property\n${rows.map(([route, counts]) => `  ${route}: ${JSON.stringify(counts)}`).join("\n")}`,
  );
  await server?.stop();
  rmSync(webDir, { recursive: true, force: true });
});

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

function documentOperations(doc: OpenApiDocument): DocumentOperation[] {
  const ops: DocumentOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const ref = JSON.stringify(op.requestBody ?? {}).match(/#\/components\/schemas\/(\w+)/)?.[1];
      const bodyProperties = Object.keys((ref && doc.components.schemas[ref]?.properties) || {});
      ops.push({ method, path, parameters: op.parameters ?? [], bodyProperties });
    }
  }
  return ops;
}

/** Every property name of the document's request bodies: the key pool for tRPC inputs. */
const inputKeys = () => [
  ...new Set(["session_id", "activity_id", "participant_id", "response_id", ...operations.flatMap((op) => op.bodyProperties)]),
];

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

// Node's client refuses header values outside these characters; the server never sees them.
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");

function send(req: FuzzRequest): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.map(headerSafe) : headerSafe(value);
  if (req.body) headers["content-length"] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    outgoing.setTimeout(ANSWER_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    // The server may answer (413, 431) and close before the whole body is sent: the answer is what counts.
    outgoing.on("error", (error) => reject(error));
    outgoing.end(req.body);
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `{ error: { code, message, details } }` and nothing else. */
function isSpecError(body: unknown): boolean {
  if (!isRecord(body) || Object.keys(body).join() !== "error" || !isRecord(body.error)) return false;
  const { code, message, details } = body.error;
  return Object.keys(body.error).length === 3 && typeof code === "string" && typeof message === "string" && isRecord(details);
}

/** tRPC's envelope, whose `data` carries the same code and details. */
function isTrpcError(body: unknown): boolean {
  if (Array.isArray(body))
    return body.length > 0 && body.every((item) => isRecord(item) && ("result" in item || isTrpcError(item)));
  if (!isRecord(body) || !isRecord(body.error) || !isRecord(body.error.data)) return false;
  return typeof body.error.message === "string" && typeof body.error.data.code === "string" && isRecord(body.error.data.details);
}

/** The error code of a spec or tRPC error body, for the per-route table. */
function errorCodeOf(text: string): string {
  const code = /"data":\{"code":"(\w+)"|"error":\{"code":"(\w+)"/.exec(text);
  return code?.[1] ?? code?.[2] ?? "?";
}

/** What is wrong with an answer, or undefined. */
function fault(req: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `${answer.status}`;
  if (/\n\s+at |node_modules|\.ts:\d+/.test(answer.text)) return "leaked a stack";
  if (answer.status < 400 || req.method === "HEAD") return undefined;
  if (!/^application\/json/.test(answer.contentType)) return `a ${answer.status} as ${answer.contentType || "no content type"}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `a ${answer.status} whose body is not JSON`;
  }
  const ok = isSpecError(body) || (req.path.startsWith("/trpc/") && isTrpcError(body));
  return ok ? undefined : `a ${answer.status} not in the error format`;
}

/** How a request is shown in a failure report: huge paths and headers cut short. */
const short = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}...(${text.length} chars)` : text);
function describeRequest(req: FuzzRequest): string {
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${short(JSON.stringify(v))}`);
  return `${req.method} ${short(req.path)} [${headers.join("; ")}] body: ${req.body ? short(req.body.toString("utf8")) : "none"}`;
}

async function check(req: FuzzRequest): Promise<void> {
  let answer: Answer;
  try {
    answer = await send(req);
  } catch (error) {
    // A server that answered 413 or 431 and closed may reset the connection before its answer is
    // read, while the client is still sending: accepted only for requests over those limits.
    const code = (error as { code?: string }).code;
    const oversized = (req.body?.length ?? 0) > 64 * 1024 || req.path.length + JSON.stringify(req.headers).length > 15 * 1024;
    if ((code === "ECONNRESET" || code === "EPIPE") && oversized) return count(req.route, "reset");
    throw error;
  }
  count(
    req.route,
    answer.status >= 400 ? `${answer.status} ${errorCodeOf(answer.text)}` : `${Math.floor(answer.status / 100)}xx`,
  );
  const problem = fault(req, answer);
  if (problem) throw new Error(`${describeRequest(req)} -> ${problem}: ${short(answer.text)}`);
}

function count(route: string, bucket: string) {
  const counts = tally.get(route) ?? {};
  counts[bucket] = (counts[bucket] ?? 0) + 1;
  tally.set(route, counts);
}

/** fast-check prints counterexamples with this: keep them readable. */
const printable = (arbitrary: fc.Arbitrary<FuzzRequest>) =>
  arbitrary.map((req) => Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) }));
const params = () => ({ numRuns: RUNS, seed: SEED, endOnFailure: true });
const timeout = Math.max(60_000, RUNS * 400);

describe("fuzz: no 5xx, every 4xx in the error format", () => {
  it("REST: every operation of the OpenAPI document", { timeout }, async () => {
    const arbitrary = printable(fc.oneof(...operations.map((op) => restRequest(op, world))));
    await fc.assert(fc.asyncProperty(arbitrary, check), params());
  });

  it("tRPC: every procedure, single and batched, GET and POST", { timeout }, async () => {
    const procedures = [...proceduresOf(appRouter).keys()];
    await fc.assert(fc.asyncProperty(printable(trpcRequest(procedures, inputKeys(), world)), check), params());
  });

  it("everything else: docs, web app, health, unknown paths", { timeout }, async () => {
    const path = fc.oneof(
      hostileString.map((s) => `/docs/${percentEncode(s)}`),
      hostileString.map((s) => `/${percentEncode(s)}`),
      fc.constantFrom("/docs/constructor", "/docs/__proto__", "/health", "/ready", "/openapi.json", "/api", "/trpc", "/%E0%A4%A"),
    );
    const arbitrary = printable(
      fc
        .record({ method: fc.constantFrom("GET", "HEAD", "POST", "DELETE", "OPTIONS"), path })
        .map(({ method, path }): FuzzRequest => ({ route: "other", method, path, headers: {} })),
    );
    await fc.assert(fc.asyncProperty(arbitrary, check), params());
  });

  it("the server still answers afterwards", async () => {
    expect((await send({ route: "health", method: "GET", path: "/health", headers: {} })).status).toBe(200);
  });
});
