import { createTRPCClient, httpBatchLink, httpLink, isTRPCClientError, type TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "@caja/api";
import {
  asActivity,
  asJoin,
  asListedParticipant,
  asPage,
  asParticipantSession,
  asResponse,
  asSession,
  expectNoStack,
  invalidTokens,
} from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/** The same procedures as the REST routes, over /trpc on a real socket with the real client. */
let server: TestServer;
let alice: string;
let statuses: number[] = [];

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: "4096" });
  alice = server.adminToken("alice");
});
afterAll(async () => server?.stop());

const recordingFetch = async (...args: Parameters<typeof fetch>) => {
  const res = await fetch(...args);
  statuses.push(res.status);
  return res;
};

function client(token?: string, batch = false) {
  const options = {
    url: `${server.url}/trpc`,
    headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
    fetch: recordingFetch,
  };
  return createTRPCClient<AppRouter>({ links: [batch ? httpBatchLink(options) : httpLink(options)] });
}

/** The error a call fails with, and the HTTP status it came back with. */
async function failure(call: Promise<unknown>): Promise<{ error: TRPCClientError<AppRouter>; status: number | undefined }> {
  statuses = [];
  try {
    await call;
  } catch (error) {
    if (!isTRPCClientError<AppRouter>(error)) throw error;
    const typed = error;
    expectNoStack(JSON.stringify(typed.shape));
    return { error: typed, status: statuses.at(-1) };
  }
  throw new Error("expected the call to fail");
}

describe("procedures over /trpc", () => {
  it("runs a whole session with the same wire shapes as REST", async () => {
    const admin = client(alice);
    const session = asSession(await admin.session.create.mutate({ title: "Over tRPC", max_participants: 3 }));
    expect(session).toMatchObject({ status: "draft", created_by: "alice", max_participants: 3 });
    expect(asSession(await admin.session.update.mutate({ session_id: session.id, description: "d" })).description).toBe("d");
    expect(asSession(await admin.session.setStatus.mutate({ session_id: session.id, status: "active" })).status).toBe("active");
    const listed = asPage(await admin.session.list.query({}), asSession);
    expect(listed.items.map((s) => s.id)).toContain(session.id);

    const activity = asActivity(
      await admin.activity.create.mutate({ session_id: session.id, type: "custom", title: "Q", config: { o: [1] } }),
    );
    asActivity(await admin.activity.update.mutate({ session_id: session.id, activity_id: activity.id, title: "Q2" }));
    expect(asActivity(await admin.activity.setStatus.mutate({ activity_id: activity.id, status: "active" })).status).toBe(
      "active",
    );
    expect(asPage(await admin.activity.list.query({ session_id: session.id }), asActivity).total).toBe(1);

    const joined = asJoin(await client().participant.join.mutate({ join_code: session.join_code, nickname: "Tess" }));
    const tess = client(joined.token);
    expect(asActivity(await tess.activity.get.query({ session_id: session.id, activity_id: activity.id })).title).toBe("Q2");
    const first = asResponse(
      await tess.response.submit.mutate({ session_id: session.id, activity_id: activity.id, response_data: "a" }),
    );
    const again = asResponse(
      await tess.response.submit.mutate({ session_id: session.id, activity_id: activity.id, response_data: "b" }),
    );
    expect(again).toMatchObject({ id: first.id, response_data: "b" });
    const responses = asPage(await admin.response.list.query({ session_id: session.id, activity_id: activity.id }), asResponse);
    expect(responses).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(
      asPage(await admin.participant.list.query({ session_id: session.id }), asListedParticipant).items.map((p) => p.nickname),
    ).toEqual(["Tess"]);
    expect(asParticipantSession(await tess.session.get.query({ session_id: session.id })).participant_count).toBe(1);

    await admin.activity.delete.mutate({ session_id: session.id, activity_id: activity.id });
    await admin.session.delete.mutate({ session_id: session.id });
    const gone = await failure(admin.session.get.query({ session_id: session.id }));
    expect(gone.error.data?.code).toBe("NOT_FOUND");
  });

  it("batches calls with httpBatchLink, each answered on its own", async () => {
    const admin = client(alice, true);
    const [ok, bad] = await Promise.allSettled([
      admin.session.create.mutate({ title: "batched" }),
      admin.session.create.mutate({ title: "" }),
    ]);
    expect(ok.status).toBe("fulfilled");
    if (ok.status === "fulfilled") asSession(ok.value);
    if (bad.status !== "rejected" || !isTRPCClientError<AppRouter>(bad.reason)) throw new Error("expected a TRPCClientError");
    const reason = bad.reason;
    expect(reason.data).toMatchObject({ code: "VALIDATION_ERROR", httpStatus: 400, details: { field: "title" } });
  });
});

describe("errors over /trpc carry the domain code, details and HTTP status, never a stack", () => {
  it("VALIDATION_ERROR: 400 with data.details.field", async () => {
    const { error, status } = await failure(client(alice).session.create.mutate({ title: "   " }));
    expect(status).toBe(400);
    expect(error.data).toMatchObject({ code: "VALIDATION_ERROR", httpStatus: 400, details: { field: "title" } });
    expect(typeof error.data?.details.reason).toBe("string");
    expect(error.message).toMatch(/title/);
  });

  it("NICKNAME_TAKEN: 409", async () => {
    const session = asSession(await client(alice).session.create.mutate({ title: "t" }));
    await client().participant.join.mutate({ join_code: session.join_code, nickname: "Nia" });
    const { error, status } = await failure(client().participant.join.mutate({ join_code: session.join_code, nickname: "NIA" }));
    expect(status).toBe(409);
    expect(error.data).toMatchObject({ code: "NICKNAME_TAKEN", httpStatus: 409, details: { field: "nickname" } });
  });

  it("SESSION_FULL, INVALID_TRANSITION, ACTIVITY_NOT_ACTIVE: 409", async () => {
    const admin = client(alice);
    const session = asSession(await admin.session.create.mutate({ title: "t", max_participants: 1 }));
    const joined = await client().participant.join.mutate({ join_code: session.join_code, nickname: "One" });
    expect(
      (await failure(client().participant.join.mutate({ join_code: session.join_code, nickname: "Two" }))).error.data?.code,
    ).toBe("SESSION_FULL");
    const transition = await failure(admin.session.setStatus.mutate({ session_id: session.id, status: "completed" }));
    expect(transition.status).toBe(409);
    expect(transition.error.data).toMatchObject({ code: "INVALID_TRANSITION", details: { from: "draft", to: "completed" } });
    const activity = await admin.activity.create.mutate({ session_id: session.id, type: "custom", title: "q" });
    const closed = await failure(
      client(joined.token).response.submit.mutate({ session_id: session.id, activity_id: activity.id, response_data: 1 }),
    );
    expect(closed.status).toBe(409);
    expect(closed.error.data?.code).toBe("ACTIVITY_NOT_ACTIVE");
  });

  it("UNAUTHORIZED: 401 without a token or with a bad one", async () => {
    const missing = await failure(client().session.list.query({}));
    expect(missing.status).toBe(401);
    expect(missing.error.data?.code).toBe("UNAUTHORIZED");
    for (const token of Object.values(invalidTokens(server))) {
      const bad = await failure(client(token).session.list.query({}));
      expect([bad.status, bad.error.data?.code]).toEqual([401, "UNAUTHORIZED"]);
    }
  });

  it("FORBIDDEN: 403 for a participant on an admin procedure and another admin's session", async () => {
    const session = asSession(await client(alice).session.create.mutate({ title: "t" }));
    const joined = await client().participant.join.mutate({ join_code: session.join_code, nickname: "Pia" });
    const participant = await failure(client(joined.token).session.create.mutate({ title: "mine" }));
    expect([participant.status, participant.error.data?.code]).toEqual([403, "FORBIDDEN"]);
    const other = await failure(client(server.adminToken("bob")).session.get.query({ session_id: session.id }));
    expect([other.status, other.error.data?.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("NOT_FOUND: 404", async () => {
    const { error, status } = await failure(client(alice).session.get.query({ session_id: 987654 }));
    expect(status).toBe(404);
    expect(error.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404, path: "session.get" });
  });

  it("PAYLOAD_TOO_LARGE: 413 for a body over MAX_BODY_BYTES", async () => {
    const { error, status } = await failure(client(alice).session.create.mutate({ title: "t", description: "d".repeat(8000) }));
    expect(status).toBe(413);
    expect(error.data?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("the raw HTTP body of an error has the code and details and no stack", async () => {
    const res = await fetch(`${server.url}/trpc/session.create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice}` },
      body: JSON.stringify({ title: "" }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expectNoStack(text);
    expect(JSON.parse(text)).toMatchObject({
      error: { message: expect.any(String), data: { code: "VALIDATION_ERROR", httpStatus: 400, details: { field: "title" } } },
    });
  });

  it("an unknown procedure is 404", async () => {
    const res = await fetch(`${server.url}/trpc/session.nope`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(404);
    expectNoStack(await res.text());
  });
});
