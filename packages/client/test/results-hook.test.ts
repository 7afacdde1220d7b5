// @vitest-environment happy-dom
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCajaClient } from "../src/index";
import { useResults, useSubmitResponse } from "../src/react/index";
import { joinToken, startActivity } from "./support/fixtures";
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

/** An active poll (a registered type, so its results are a poll's), in a fresh session. */
async function startPoll(server: LiveServer) {
  const live = await startActivity(server);
  const poll = await live.admin.activity.create.mutate({
    session_id: live.sessionId,
    type: "poll",
    title: "Lunch?",
    config: { question: "Lunch?", options: ["a", "b"] },
  });
  await live.admin.activity.setStatus.mutate({ activity_id: poll.id, status: "active" });
  return { ...live, activityId: poll.id };
}

describe("useResults", () => {
  it("follows a poll's counts as participants vote, typed as a poll's results", async () => {
    const live = await startPoll(server);
    const { wrapper } = providerFor(server, { token: server.adminToken() });
    const { result } = renderHook(() => useResults<"poll">(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(result.current.data).toMatchObject({ hidden: false, type: "poll", response_count: 0 }), {
      timeout: 5000,
    });

    const ada = createCajaClient({ url: server.url, token: await joinToken(server, live.joinCode, "Ada") });
    const bob = createCajaClient({ url: server.url, token: await joinToken(server, live.joinCode, "Bob") });
    const ids = { session_id: live.sessionId, activity_id: live.activityId };
    await ada.response.submit.mutate({ ...ids, response_data: { selected_options: ["a"] } });
    await bob.response.submit.mutate({ ...ids, response_data: { selected_options: ["a"] } });

    await waitFor(
      () => {
        const data = result.current.data;
        if (!data || data.hidden) throw new Error("no results yet");
        // Typed: a poll's options, without narrowing on `type`.
        expect(data.results.options.map(({ option, count }) => [option, count])).toEqual([
          ["a", 2],
          ["b", 0],
        ]);
        expect(data.results.total_voters).toBe(2);
      },
      { timeout: 5000 },
    );
  });

  it("shows hidden results as a state, keeps polling calmly, and shows them once revealed", async () => {
    const live = await startPoll(server);
    const ids = { session_id: live.sessionId, activity_id: live.activityId };
    await live.admin.activity.update.mutate({ ...ids, results_visible: false });
    const log = loggingFetch();
    const token = await joinToken(server, live.joinCode, "Ada");
    const { wrapper } = providerFor(server, { token, fetch: log.fetch });
    const { result } = renderHook(
      () => ({ results: useResults(live.sessionId, live.activityId), submit: useSubmitResponse<"poll">() }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.results.data).toMatchObject({ hidden: true, activity_id: live.activityId }), {
      timeout: 5000,
    });
    expect(result.current.results.status).toBe("success");
    await result.current.submit.mutateAsync({ ...ids, response_data: { selected_options: ["b"] } });
    // Still hidden after the submit refetched it, and polled again at an interval, never as an error to retry.
    await waitFor(() => expect(log.to("activity.results").length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    expect(result.current.results.data?.hidden).toBe(true);
    expect(result.current.results.errorUpdateCount).toBe(0);
    const polls = log.to("activity.results");
    expect(polls.every((poll) => poll.status === 403)).toBe(true);
    const elapsed = (polls.at(-1)?.at ?? 0) - (polls[0]?.at ?? 0);
    // At most one poll per fallback interval (2 s), plus the one the submit asked for.
    expect(polls.length).toBeLessThanOrEqual(Math.floor(elapsed / 2000) + 2);

    await live.admin.activity.update.mutate({ ...ids, results_visible: true });
    await waitFor(
      () => {
        const data = result.current.results.data;
        if (!data || data.hidden) throw new Error("still hidden");
        if (data.type !== "poll") throw new Error(`a ${data.type}`);
        // Narrowed by `type`: a poll's results.
        expect(data.results.options.find((o) => o.option === "b")?.count).toBe(1);
      },
      { timeout: 5000 },
    );
  });

  it("waits while the ids are unknown", async () => {
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useResults(1, undefined), { wrapper });
    await waitFor(() => expect(result.current.fetchStatus).toBe("idle"));
    expect(log.requests).toEqual([]);
  });
});
