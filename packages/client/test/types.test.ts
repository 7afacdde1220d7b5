// Type-level tests: `tsc --noEmit` (the package's typecheck) is what checks them; each
// `@ts-expect-error` fails the typecheck if the line below it ever compiles.
import { describe, expectTypeOf, it } from "vitest";
import { createCajaClient, type FeedResponse, type RouterInputs, type RouterOutputs, type SessionStatus } from "../src/index";
import { useActivityStatus, useJoinSession, useResponseFeed, useSessionStatus } from "../src/react/index";
import { createCajaRestClient, type paths } from "../src/rest/index";

const client = createCajaClient({ url: "http://localhost:3000" });

describe("the tRPC client", () => {
  it("returns what the router's procedures return", () => {
    expectTypeOf(client.session.status.query).returns.resolves.toEqualTypeOf<RouterOutputs["session"]["status"]>();
    expectTypeOf(client.response.feed.query).returns.resolves.toHaveProperty("next_cursor").toEqualTypeOf<string>();
    expectTypeOf<SessionStatus["status"]>().toEqualTypeOf<"draft" | "active" | "completed">();
    expectTypeOf<SessionStatus["current_activity_id"]>().toEqualTypeOf<string | null>();
    expectTypeOf<RouterInputs["participant"]["join"]>().toEqualTypeOf<{ join_code: string; nickname: string }>();
  });

  it("does not compile a wrong input", () => {
    const compileOnly = () => {
      // @ts-expect-error activity_id is a UUID string
      void client.activity.status.query({ session_id: 1, activity_id: 42 });
      // @ts-expect-error activity_id is required
      void client.activity.status.query({ session_id: 1 });
      // @ts-expect-error session_id is a number (REST path strings are coerced on the server only)
      void client.session.status.query({ session_id: "1" });
      // @ts-expect-error "paused" is not a lifecycle status
      void client.activity.setStatus.mutate({ activity_id: "a", status: "paused" });
      // @ts-expect-error nickname is required to join
      void client.participant.join.mutate({ join_code: "ABC123" });
      // @ts-expect-error there is no such procedure
      void client.session.archive;
      // @ts-expect-error a token or getToken, not both
      createCajaClient({ url: "http://localhost:3000", token: "a", getToken: () => "b" });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});

describe("the React hooks", () => {
  it("hand back router-typed data", () => {
    expectTypeOf(useSessionStatus).returns.toHaveProperty("data").toEqualTypeOf<SessionStatus | undefined>();
    expectTypeOf(useActivityStatus)
      .returns.toHaveProperty("data")
      .toEqualTypeOf<RouterOutputs["activity"]["status"] | undefined>();
    expectTypeOf<NonNullable<ReturnType<typeof useResponseFeed>["data"]>["items"]>().toEqualTypeOf<readonly FeedResponse[]>();
    expectTypeOf(useJoinSession).returns.toHaveProperty("data").toEqualTypeOf<RouterOutputs["participant"]["join"] | undefined>();
  });

  it("do not compile a wrong id or option", () => {
    // Never called, only compiled; named as a hook since it calls hooks.
    const useWrongArguments = () => {
      // @ts-expect-error a session id is a number
      useSessionStatus("1");
      // @ts-expect-error an activity id is a string
      useActivityStatus(1, 2);
      // @ts-expect-error intervalMs is a number of milliseconds
      useSessionStatus(1, { intervalMs: "fast" });
    };
    expectTypeOf(useWrongArguments).toBeFunction();
  });
});

describe("the REST client", () => {
  const rest = createCajaRestClient({ url: "http://localhost:3000" });
  type StatusAnswer = paths["/api/sessions/{session_id}/status"]["get"]["responses"][200]["content"]["application/json"];

  it("is typed from the OpenAPI document", () => {
    expectTypeOf<StatusAnswer["participant_count"]>().toEqualTypeOf<number>();
    const getStatus = () => rest.GET("/api/sessions/{session_id}/status", { params: { path: { session_id: 1 } } });
    expectTypeOf(getStatus).returns.resolves.toHaveProperty("data").toEqualTypeOf<StatusAnswer | undefined>();
  });

  it("does not compile a wrong path or parameter", () => {
    const compileOnly = () => {
      // @ts-expect-error not a path the server serves
      void rest.GET("/api/sessions/{session_id}/summary", { params: { path: { session_id: 1 } } });
      // @ts-expect-error session_id is a path parameter and required
      void rest.GET("/api/sessions/{session_id}/status", { params: { path: {} } });
      // @ts-expect-error a join needs a nickname
      void rest.POST("/api/v1/sessions/join", { body: { join_code: "ABC123" } });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
