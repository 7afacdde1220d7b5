// @vitest-environment happy-dom
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useResponseFeed } from "../src/react/index";
import { addActiveActivity, joinAs, startActivity } from "./support/fixtures";
import type { LiveServer } from "./support/live-server";
import { startServerProcess } from "./support/live-server-process";
import { providerFor } from "./support/render";
import { loggingFetch } from "./support/request-log";

let server: LiveServer;
beforeAll(async () => {
  server = await startServerProcess();
});
afterEach(cleanup);
afterAll(async () => server?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An open transaction on the server's database (psql, so that nothing of the database
 * driver loads under happy-dom). The feed shows a row only once every transaction of its
 * database that started before the row's has ended, so this holds back every answer
 * committed while it is open.
 */
async function holdTransaction(): Promise<{ release(): Promise<void> }> {
  const url = server.databaseUrl;
  const psql = spawn("psql", [url, "-At", "-v", "ON_ERROR_STOP=1"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => psql.on("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    psql.stdout.on("data", (chunk: Buffer) => {
      if (/^\d+$/m.test(chunk.toString())) resolve();
    });
    psql.on("error", reject);
    void exited.then((code) => reject(new Error(`psql exited (${code}) before holding a transaction`)));
    psql.stdin.write("begin; select txid_current();\n");
  });
  return {
    release: async () => {
      psql.stdin.end("commit;\n");
      await exited;
    },
  };
}

describe("useResponseFeed", () => {
  it("ends with exactly the submitted responses, once each, an edited one in its new version", async () => {
    const live = await startActivity(server);
    const at = { session_id: live.sessionId, activity_id: live.activityId };
    const [ada, bob, cy] = await Promise.all(["Ada", "Bob", "Cy"].map((name) => joinAs(server, live.joinCode, name)));
    if (!ada || !bob || !cy) throw new Error("three participants expected");
    const first = await ada.response.submit.mutate({ ...at, response_data: { choice: "a" } });

    const { wrapper } = providerFor(server, { token: server.adminToken() });
    const { result } = renderHook(() => useResponseFeed(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(result.current.data?.items).toHaveLength(1), { timeout: 5000 });

    await bob.response.submit.mutate({ ...at, response_data: { choice: "b" } });
    const edited = await ada.response.submit.mutate({ ...at, response_data: { choice: "b" } });
    await cy.response.submit.mutate({ ...at, response_data: "free text" });
    expect(edited.id).toBe(first.id);

    await waitFor(() => expect(result.current.data?.items).toHaveLength(3), { timeout: 5000 });
    await waitFor(() => expect(result.current.data?.items[0]?.response_data).toEqual({ choice: "b" }), { timeout: 5000 });
    await sleep(600); // more polls change nothing
    const items = result.current.data?.items ?? [];
    expect(items.map((item) => item.response_data)).toEqual([{ choice: "b" }, { choice: "b" }, "free text"]);
    expect(new Set(items.map((item) => item.id)).size).toBe(3);
    expect(items[0]).toMatchObject({ id: first.id, updated_at: edited.updated_at });
  });

  it("drains has_more pages within one poll, never showing a partial list", async () => {
    const live = await startActivity(server);
    const at = { session_id: live.sessionId, activity_id: live.activityId };
    const voters = await Promise.all(["A", "B", "C", "D", "E"].map((name) => joinAs(server, live.joinCode, name)));
    for (const voter of voters) await voter.response.submit.mutate({ ...at, response_data: { choice: "a" } });
    // The feed shows a write once every older transaction has ended (the server's gap-free
    // rule); wait until all five are visible so that the first poll has three pages to drain.
    await waitFor(
      async () => {
        const all = await live.admin.response.feed.query({ ...at, timestamp: "1970-01-01T00:00:00.000Z", limit: 100 });
        expect(all.count).toBe(5);
      },
      { timeout: 5000 },
    );

    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const seen: number[] = [];
    renderHook(
      () => {
        // No second poll within this test: every page fetched belongs to the first one.
        const feed = useResponseFeed(live.sessionId, live.activityId, { pageSize: 2, intervalMs: 600_000 });
        if (feed.data) seen.push(feed.data.items.length);
        return feed;
      },
      { wrapper },
    );
    await waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 5000 });
    expect(seen[0]).toBe(5);
    // Pages of 2, 2 and 1, all within that one poll.
    expect(log.to("response.feed").map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("starts a new list when the activity changes", async () => {
    const live = await startActivity(server);
    const voter = await joinAs(server, live.joinCode, "Ada");
    await voter.response.submit.mutate({ session_id: live.sessionId, activity_id: live.activityId, response_data: 1 });

    const { wrapper } = providerFor(server, { token: server.adminToken() });
    const { result, rerender } = renderHook(({ activityId }) => useResponseFeed(live.sessionId, activityId), {
      wrapper,
      initialProps: { activityId: live.activityId },
    });
    await waitFor(() => expect(result.current.data?.items.map((i) => i.response_data)).toEqual([1]), { timeout: 5000 });

    const next = await addActiveActivity(live.admin, live.sessionId, "Dinner?");
    await voter.response.submit.mutate({ session_id: live.sessionId, activity_id: next, response_data: 2 });
    rerender({ activityId: next });
    await waitFor(() => expect(result.current.data?.items.map((i) => i.response_data)).toEqual([2]), { timeout: 5000 });
    expect(result.current.data?.items[0]?.activity_id).toBe(next);
  });

  it("stops polling after the drain that follows the activity's completion", async () => {
    const live = await startActivity(server);
    const voter = await joinAs(server, live.joinCode, "Ada");
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useResponseFeed(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(result.current.data).toBeDefined(), { timeout: 5000 });

    await voter.response.submit.mutate({ session_id: live.sessionId, activity_id: live.activityId, response_data: "last" });
    await live.admin.activity.setStatus.mutate({ activity_id: live.activityId, status: "completed" });
    await waitFor(() => expect(result.current.data?.final).toBe(true), { timeout: 5000 });
    expect(result.current.data?.items.map((i) => i.response_data)).toEqual(["last"]);

    const polled = log.to("response.feed").length;
    await sleep(1000);
    expect(log.to("response.feed").length).toBe(polled);
  });

  it("keeps draining after completion until an answer that trails it in the feed has arrived", async () => {
    const live = await startActivity(server);
    const voter = await joinAs(server, live.joinCode, "Ada");
    const { wrapper } = providerFor(server, { token: server.adminToken() });
    const { result } = renderHook(() => useResponseFeed(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(result.current.data).toBeDefined(), { timeout: 5000 });

    const older = await holdTransaction();
    try {
      await voter.response.submit.mutate({ session_id: live.sessionId, activity_id: live.activityId, response_data: "last" });
      await live.admin.activity.setStatus.mutate({ activity_id: live.activityId, status: "completed" });
      // Several drains (250 ms apart) see the completion but not yet the answer.
      const seen = result.current.dataUpdatedAt;
      await waitFor(() => expect(result.current.dataUpdatedAt).toBeGreaterThan(seen + 750), { timeout: 5000 });
      expect(result.current.data).toMatchObject({ items: [], final: false });
    } finally {
      await older.release();
    }
    await waitFor(() => expect(result.current.data?.final).toBe(true), { timeout: 5000 });
    expect(result.current.data?.items.map((i) => i.response_data)).toEqual(["last"]);
  });
});
