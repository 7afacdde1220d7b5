// @vitest-environment happy-dom
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  useActivityStatus,
  useCajaAuth,
  useJoinPreview,
  useJoinSession,
  useNicknameCheck,
  useSessionStatus,
  useSubmitResponse,
} from "../src/react/index";
import { joinAs, startActivity } from "./support/fixtures";
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

describe("useActivityStatus", () => {
  it("sees response_count rise after a participant submits", async () => {
    const live = await startActivity(server);
    const { wrapper } = providerFor(server, { token: server.adminToken() });
    const { result } = renderHook(() => useActivityStatus(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(result.current.data?.response_count).toBe(0), { timeout: 5000 });

    const bob = await joinAs(server, live.joinCode, "Bob");
    await bob.response.submit.mutate({
      session_id: live.sessionId,
      activity_id: live.activityId,
      response_data: { choice: "a" },
    });

    await waitFor(() => expect(result.current.data?.response_count).toBe(1), { timeout: 5000 });
  });

  it("stops polling once the activity is completed", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useActivityStatus(live.sessionId, live.activityId), { wrapper });
    await waitFor(() => expect(log.to("activity.status").length).toBeGreaterThanOrEqual(3), { timeout: 5000 });

    await live.admin.activity.setStatus.mutate({ activity_id: live.activityId, status: "completed" });
    await waitFor(() => expect(result.current.data?.status).toBe("completed"), { timeout: 5000 });
    const polled = log.to("activity.status").length;
    await sleep(1000); // four poll intervals
    expect(log.to("activity.status").length).toBe(polled);
  });
});

describe("useSessionStatus", () => {
  it("sees participant_count rise after a join, polling at the server's interval", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useSessionStatus(live.sessionId), { wrapper });
    await waitFor(() => expect(result.current.data?.participant_count).toBe(0), { timeout: 5000 });

    await joinAs(server, live.joinCode, "Ada");
    await waitFor(() => expect(result.current.data?.participant_count).toBe(1), { timeout: 5000 });
    expect(result.current.data).toMatchObject({ status: "active", current_activity_id: live.activityId });

    const polls = log.to("session.status");
    const gaps = polls.slice(1).map((poll, i) => poll.at - (polls[i]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
  });

  it("stops polling once the session is completed", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useSessionStatus(live.sessionId), { wrapper });
    await waitFor(() => expect(result.current.data?.status).toBe("active"), { timeout: 5000 });

    await live.admin.session.setStatus.mutate({ session_id: live.sessionId, status: "completed" });
    await waitFor(() => expect(result.current.data?.status).toBe("completed"), { timeout: 5000 });
    const polled = log.to("session.status").length;
    await sleep(1000);
    expect(log.to("session.status").length).toBe(polled);
  });

  it("waits while the session id is unknown", async () => {
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token: server.adminToken(), fetch: log.fetch });
    const { result } = renderHook(() => useSessionStatus(undefined), { wrapper });
    await sleep(600);
    expect(result.current.fetchStatus).toBe("idle");
    expect(log.requests).toEqual([]);
  });
});

describe("useJoinSession and useSubmitResponse", () => {
  it("joins (participant and token), then submits with the adopted token and sees the count", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { fetch: log.fetch });
    const { result } = renderHook(
      () => {
        const join = useJoinSession();
        const submit = useSubmitResponse();
        const auth = useCajaAuth();
        const sessionId = join.data?.session.id;
        // No ordinary poll within this test: only the submit's own refetch can bring the new count.
        const status = useActivityStatus(sessionId, sessionId ? live.activityId : undefined, { intervalMs: 600_000 });
        return { join, submit, auth, status };
      },
      { wrapper },
    );

    const joined = await result.current.join.mutateAsync({ join_code: live.joinCode.toLowerCase(), nickname: "Ada" });
    expect(joined.participant).toMatchObject({ nickname: "Ada", session_id: live.sessionId });
    expect(joined.token).toEqual(expect.any(String));
    await waitFor(() => expect(result.current.auth.token).toBe(joined.token));
    await waitFor(() => expect(result.current.status.data?.response_count).toBe(0), { timeout: 5000 });

    const polledBefore = log.to("activity.status").length;
    const response = await result.current.submit.mutateAsync({
      session_id: live.sessionId,
      activity_id: live.activityId,
      response_data: { choice: "a" },
    });
    expect(response).toMatchObject({ participant_id: joined.participant.id, response_data: { choice: "a" } });
    // The submit refetched the activity's status at once: the next poll is ten minutes away.
    await waitFor(() => expect(result.current.status.data?.response_count).toBe(1), { timeout: 5000 });
    expect(log.to("activity.status").length).toBe(polledBefore + 1);
  });

  it("reports a failed join with Caja's error code", async () => {
    const live = await startActivity(server);
    await joinAs(server, live.joinCode, "Ada");
    const { wrapper } = providerFor(server);
    const { result } = renderHook(() => useJoinSession(), { wrapper });
    await expect(result.current.mutateAsync({ join_code: live.joinCode, nickname: "ada" })).rejects.toMatchObject({
      data: { code: "NICKNAME_TAKEN", httpStatus: 409 },
    });
  });
});

describe("useJoinPreview and useNicknameCheck", () => {
  it("preview: the session's title, status and accepts_joins; an unknown code fails NOT_FOUND without retrying", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { fetch: log.fetch });
    const { result, rerender } = renderHook(({ code }) => useJoinPreview(code, { debounceMs: 50 }), {
      wrapper,
      initialProps: { code: live.joinCode.toLowerCase() },
    });
    await waitFor(() =>
      expect(result.current.data).toEqual({ title: expect.any(String), status: "active", accepts_joins: true }),
    );
    rerender({ code: "NOPE99" });
    await waitFor(() => expect(result.current.error?.data?.code).toBe("NOT_FOUND"));
    expect(log.to("participant.preview").map((r) => r.status)).toEqual([200, 404]);
  });

  it("nickname: asks once typing pauses, not per keystroke; taken ignoring case and invisible characters; invalid says why", async () => {
    const live = await startActivity(server);
    await joinAs(server, live.joinCode, "Ana");
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { fetch: log.fetch });
    const { result, rerender } = renderHook(({ nickname }) => useNicknameCheck(live.joinCode, nickname, { debounceMs: 1000 }), {
      wrapper,
      initialProps: { nickname: "" },
    });
    expect(result.current).toEqual({ state: "idle" });
    // Typed a key at a time, each well within the pause (and each in its own tick, so no batching
    // of requests could hide one per keystroke): one request, for the whole word.
    for (const typed of ["a", "a\u200b", "a\u200bN", "a\u200bNA"]) {
      rerender({ nickname: typed });
      await sleep(20);
    }
    expect(result.current).toEqual({ state: "checking" });
    await waitFor(() => expect(result.current).toEqual({ state: "taken", nickname: "aNA" }), { timeout: 5000 });
    expect(log.to("participant.nicknameAvailability")).toHaveLength(1);

    rerender({ nickname: "Bo" });
    expect(result.current).toEqual({ state: "checking" });
    await waitFor(() => expect(result.current).toEqual({ state: "available", nickname: "Bo" }), { timeout: 5000 });
    rerender({ nickname: "\u200b" });
    await waitFor(() => expect(result.current).toMatchObject({ state: "invalid", reason: expect.stringMatching(/empty/) }), {
      timeout: 5000,
    });
    expect(log.to("participant.nicknameAvailability").map((r) => r.status)).toEqual([200, 200, 400]);
  });
});
