// @vitest-environment happy-dom
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useSessionStatus } from "../src/react/index";
import { createCajaRestClient } from "../src/rest/index";
import { retryAfterHeaderMs } from "../src/index";
import { joinToken, startActivity } from "./support/fixtures";
import type { LiveServer } from "./support/live-server";
import { startServerProcess } from "./support/live-server-process";
import { providerFor } from "./support/render";
import { loggingFetch } from "./support/request-log";

// Three polls, then one more every 3.3 s per caller (a token bucket refilling at 0.3/s).
// Each test polls as a new participant: every caller has its own bucket.
let server: LiveServer;
beforeAll(async () => {
  server = await startServerProcess({ RATE_LIMIT_POLL: "3/10s" });
});
afterEach(cleanup);
afterAll(async () => server?.stop());

describe("polling under rate limits", () => {
  it("a 429 slows polling down to the server's Retry-After", async () => {
    const live = await startActivity(server);
    const token = await joinToken(server, live.joinCode, "Ada");
    const log = loggingFetch();
    const { wrapper } = providerFor(server, { token, fetch: log.fetch });
    const { result } = renderHook(() => useSessionStatus(live.sessionId), { wrapper });
    const polls = () => log.to("session.status");
    await waitFor(() => expect(polls().some((r) => r.status === 429)).toBe(true), { timeout: 5000 });
    const first = polls().findIndex((poll) => poll.status === 429);
    const limited = polls()[first];
    expect(limited?.retryAfterMs).toBeGreaterThanOrEqual(1000);
    // Meanwhile the last good answer stays on screen: a 429 is a wait, not an error.
    expect(result.current.data?.session_id).toBe(live.sessionId);
    expect(result.current.isError).toBe(false);
    // It does poll again, and only once the wait the server asked for is over (less a little scheduling slack):
    // at a 250 ms interval several polls would have gone out in between.
    await waitFor(() => expect(polls().length).toBeGreaterThan(first + 1), { timeout: 10_000 });
    const next = polls()[first + 1];
    expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual((limited?.retryAfterMs ?? 0) - 50);
    // And it recovers: a later poll is answered again.
    await waitFor(
      () =>
        expect(
          polls()
            .slice(first + 1)
            .some((poll) => poll.status === 200),
        ).toBe(true),
      { timeout: 15_000 },
    );
  });

  it("the REST client shows the 429's Retry-After header", async () => {
    const live = await startActivity(server);
    const rest = createCajaRestClient({ url: server.url, token: await joinToken(server, live.joinCode, "Bob") });
    const statuses: number[] = [];
    let retryAfter: number | undefined;
    for (let i = 0; i < 4; i++) {
      const { response, error } = await rest.GET("/api/sessions/{session_id}/status", {
        params: { path: { session_id: live.sessionId } },
      });
      statuses.push(response.status);
      if (error) {
        expect(error.error.code).toBe("RATE_LIMITED");
        retryAfter = retryAfterHeaderMs(response.headers.get("retry-after"));
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(retryAfter).toBeGreaterThanOrEqual(1000);
  });
});
