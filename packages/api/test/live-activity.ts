import type { ApiHarness } from "./harness";

/**
 * A live session titled `title` with one active free-form ("custom", "Words") activity, owned by
 * "owner", and a participant joined per nickname, one after another (in that order).
 */
export async function liveActivity(h: ApiHarness, title: string, nicknames: readonly string[] = []) {
  const admin = h.caller(h.adminToken("owner"));
  const session = await admin.session.create({ title });
  const activity = await admin.activity.create({ session_id: session.id, type: "custom", title: "Words" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const joined = [];
  for (const nickname of nicknames) joined.push(await h.caller().participant.join({ join_code: session.join_code, nickname }));
  return { admin, session, activity, joined, ids: { session_id: session.id, activity_id: activity.id } };
}
