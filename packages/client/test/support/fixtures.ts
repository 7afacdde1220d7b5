import { createCajaClient, type CajaClient } from "../../src/index";
import type { LiveServer } from "./live-server";

export interface LiveActivity {
  admin: CajaClient;
  sessionId: number;
  joinCode: string;
  activityId: string;
}

/** An active session with one active activity, made through the public API. */
export async function startActivity(server: LiveServer, title = "Lunch?"): Promise<LiveActivity> {
  const admin = createCajaClient({ url: server.url, token: server.adminToken() });
  const session = await admin.session.create.mutate({ title: "Town hall" });
  await admin.session.setStatus.mutate({ session_id: session.id, status: "active" });
  const activity = await addActiveActivity(admin, session.id, title);
  return { admin, sessionId: session.id, joinCode: session.join_code, activityId: activity };
}

/** Another activity in the session, made active (which completes the previous one). */
export async function addActiveActivity(admin: CajaClient, sessionId: number, title: string): Promise<string> {
  const activity = await admin.activity.create.mutate({
    session_id: sessionId,
    // Unregistered: these tests send free JSON answers.
    type: "quick_vote",
    title,
    config: { question: title, options: ["a", "b"] },
  });
  await admin.activity.setStatus.mutate({ activity_id: activity.id, status: "active" });
  return activity.id;
}

/** A participant's token, after joining with the code. */
export async function joinToken(server: LiveServer, joinCode: string, nickname: string): Promise<string> {
  const anonymous = createCajaClient({ url: server.url });
  const { token } = await anonymous.participant.join.mutate({ join_code: joinCode, nickname });
  return token;
}

/** A participant's own client, after joining with the code. */
export async function joinAs(server: LiveServer, joinCode: string, nickname: string): Promise<CajaClient> {
  return createCajaClient({ url: server.url, token: await joinToken(server, joinCode, nickname) });
}
