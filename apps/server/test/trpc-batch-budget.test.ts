import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, expectNoStack } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/**
 * TRPC_BATCH_MAX_BYTES: the calls of one tRPC batch together may build at most this many bytes
 * of answer, counted from what each procedure can answer for its input (a feed page of `limit`
 * answers of MAX_RESPONSE_DATA_BYTES each, a results answer's bound, ...) before any call runs.
 * Count alone (TRPC_MAX_BATCH) let 50 calls build 206 MB (issue 18, item 10).
 */
let server: TestServer;
let small: TestServer;
let api: Api;
let smallApi: Api;
beforeAll(async () => {
  server = await startTestServer();
  small = await startTestServer({ TRPC_BATCH_MAX_BYTES: "100000" });
  api = new Api(server);
  smallApi = new Api(small);
});
afterAll(async () => {
  await server?.stop();
  await small?.stop();
});

const names = (n: number, name: string) => Array.from({ length: n }, () => name).join(",");
const inputs = (list: unknown[]) => encodeURIComponent(JSON.stringify(Object.fromEntries(list.map((input, i) => [i, input]))));

interface BatchRefusal {
  error: { data: { code: string; httpStatus: number; details: { field: string; max_bytes: number; bytes: number } } };
}

/** 413 PAYLOAD_TOO_LARGE in tRPC's envelope, naming the batch, its bound and the budget. */
function expectBudgetRefusal(res: { status: number; headers: Headers; text: string; body: unknown }, maxBytes: number) {
  expect(res.status).toBe(413);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expectNoStack(res.text);
  expect(res.body).toMatchObject({
    error: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, details: { field: "batch", max_bytes: maxBytes } } },
  });
  expect((res.body as BatchRefusal).error.data.details.bytes).toBeGreaterThan(maxBytes);
}

describe("TRPC_BATCH_MAX_BYTES (default 16 MB)", () => {
  it("a GET batch of feed pages that may answer more: 413 naming the batch; the same calls one at a time are answered", async () => {
    const { token, session, activity } = await api.live();
    const feed = { session_id: session.id, activity_id: activity.id, timestamp: "2020-01-01T00:00:00Z", limit: 1000 };
    const over = await api.request("GET", `/trpc/${names(10, "response.feed")}?batch=1&input=${inputs(Array(10).fill(feed))}`, {
      token,
    });
    expectBudgetRefusal(over, 16 * 1024 * 1024);
    const one = await api.request("GET", `/trpc/response.feed?input=${encodeURIComponent(JSON.stringify(feed))}`, { token });
    expect(one.status).toBe(200);
    const two = { ...feed, limit: 100 };
    const pair = await api.request("GET", `/trpc/${names(2, "response.feed")}?batch=1&input=${inputs([two, two])}`, { token });
    expect(pair.status).toBe(200);
  });

  it("an unknown name in the batch (tRPC's own handler answers it) does not get the other calls past the budget", async () => {
    const { token, session, activity } = await api.live();
    const feed = { session_id: session.id, activity_id: activity.id, timestamp: "2020-01-01T00:00:00Z", limit: 1000 };
    const path = `/trpc/${names(10, "response.feed")},no.such?batch=1&input=${inputs([...Array(10).fill(feed), {}])}`;
    expectBudgetRefusal(await api.request("GET", path, { token }), 16 * 1024 * 1024);
  });
});

describe("TRPC_BATCH_MAX_BYTES=100000", () => {
  it("a POST batch of mutations that may answer more: 413 before any call runs, nothing created", async () => {
    const token = smallApi.admin("poster");
    const session = await smallApi.session(token);
    const create = { session_id: session.id, type: "custom", config: {} };
    const over = await smallApi.request("POST", `/trpc/${names(3, "activity.create")}?batch=1`, {
      token,
      json: Object.fromEntries([0, 1, 2].map((i) => [i, create])),
    });
    expectBudgetRefusal(over, 100000);
    const list = await smallApi.request("GET", `/api/v1/sessions/${session.id}/activities`, { token });
    expect(list.body).toMatchObject({ total: 0 });
    // A single call is bounded by its own limits, not by the batch budget.
    const one = await smallApi.request("POST", "/trpc/activity.create", { token, json: create });
    expect(one.status).toBe(200);
  });
});
