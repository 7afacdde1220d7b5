import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cajaErrorCode, createCajaClient, httpStatusOf, isTransientError } from "../src/index";
import { createCajaRestClient } from "../src/rest/index";
import { joinToken, startActivity } from "./support/fixtures";
import { startLiveServer, type LiveServer } from "./support/live-server";
import { loggingFetch } from "./support/request-log";

let server: LiveServer;
beforeAll(async () => {
  server = await startLiveServer();
});
afterAll(async () => server?.stop());

describe("createCajaClient", () => {
  it("calls procedures with typed inputs and outputs", async () => {
    const live = await startActivity(server);
    const status = await live.admin.session.status.query({ session_id: live.sessionId });
    expect(status).toMatchObject({ session_id: live.sessionId, status: "active", participant_count: 0 });
  });

  it("asks getToken before every request", async () => {
    const live = await startActivity(server);
    let asked = 0;
    const client = createCajaClient({
      url: `${server.url}/`,
      getToken: () => {
        asked++;
        return Promise.resolve(server.adminToken());
      },
      batch: false,
    });
    await client.session.status.query({ session_id: live.sessionId });
    await client.session.status.query({ session_id: live.sessionId });
    expect(asked).toBe(2);
  });

  it("batches calls made together into one request", async () => {
    const live = await startActivity(server);
    const log = loggingFetch();
    const client = createCajaClient({ url: server.url, token: server.adminToken(), fetch: log.fetch });
    const [session, activity] = await Promise.all([
      client.session.status.query({ session_id: live.sessionId }),
      client.activity.status.query({ session_id: live.sessionId, activity_id: live.activityId }),
    ]);
    // Each answer is for what was asked (the polling cache may still hold the session's snapshot from
    // just before the activation: cross-route freshness is bounded by the cache, not by batching).
    expect(session.session_id).toBe(live.sessionId);
    expect(activity.activity_id).toBe(live.activityId);
    expect(log.requests.map((r) => r.path)).toEqual(["session.status,activity.status"]);
  });

  it("rejects with Caja's code and HTTP status in the error's data", async () => {
    const anonymous = createCajaClient({ url: server.url });
    const failure = await anonymous.session.status.query({ session_id: 1 }).catch((error: unknown) => error);
    expect(cajaErrorCode(failure)).toBe("UNAUTHORIZED");
    expect(httpStatusOf(failure)).toBe(401);
    expect(isTransientError(failure)).toBe(false);
  });

  it("treats an unreachable server as transient", async () => {
    const nowhere = createCajaClient({ url: "http://127.0.0.1:9", token: "x" });
    const failure = await nowhere.session.status.query({ session_id: 1 }).catch((error: unknown) => error);
    expect(httpStatusOf(failure)).toBeUndefined();
    expect(isTransientError(failure)).toBe(true);
  });
});

describe("createCajaRestClient", () => {
  it("serves the spec's polling path with typed answers and ETag revalidation", async () => {
    const live = await startActivity(server);
    const rest = createCajaRestClient({ url: server.url, token: server.adminToken() });
    const status = (etag?: string) =>
      rest.GET("/api/sessions/{session_id}/status", {
        params: { path: { session_id: live.sessionId } },
        headers: etag ? { "if-none-match": etag } : {},
      });
    const first = await status();
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ session_id: live.sessionId, status: "active" });
    let etag = first.response.headers.get("etag") ?? "";
    expect(etag).toBeTruthy();

    // The setup's writes came in a burst: a snapshot may still be refreshed once within
    // CACHE_MIN_REFRESH_MS (README, Polling), a new state with a new ETag. Then 304.
    await vi.waitFor(
      async () => {
        const again = await status(etag);
        if (again.response.status === 200) etag = again.response.headers.get("etag") ?? "";
        expect(again.response.status).toBe(304);
      },
      { timeout: 5000, interval: 25 },
    );
  });

  it("joins and submits over REST, with the error body typed", async () => {
    const live = await startActivity(server);
    const anonymous = createCajaRestClient({ url: `${server.url}/api` });
    const joined = await anonymous.POST("/api/v1/sessions/join", { body: { join_code: live.joinCode, nickname: "Ada" } });
    expect(joined.response.status).toBe(201);
    const token = joined.data?.token;
    expect(token).toEqual(expect.any(String));

    const ada = createCajaRestClient({ url: server.url, token });
    const path = { session_id: live.sessionId, activity_id: live.activityId };
    const submitted = await ada.POST("/api/v1/sessions/{session_id}/activities/{activity_id}/responses", {
      params: { path },
      body: { response_data: { choice: "a" } },
    });
    expect(submitted.data).toMatchObject({ activity_id: live.activityId, response_data: { choice: "a" } });

    const other = createCajaRestClient({ url: server.url, token: await joinToken(server, live.joinCode, "Bob") });
    const denied = await other.PUT("/api/v1/sessions/{session_id}", {
      params: { path: { session_id: live.sessionId } },
      body: { title: "Mine" },
    });
    expect(denied.response.status).toBe(403);
    expect(denied.error?.error.code).toBe("FORBIDDEN");
  });
});
