import type { ApiHarness } from "./harness";

/** A live session with an active Q&A and `n` joined participants: the setup of the moderation and vote suites. */
export async function liveQa(h: ApiHarness, n: number, config: Record<string, unknown> = { prompt: "Ask", moderation: true }) {
  const owner = h.caller(h.adminToken("host"));
  const session = await owner.session.create({ title: "Town hall" });
  const activity = await owner.activity.create({ session_id: session.id, type: "qa", title: "Questions", config });
  await owner.session.setStatus({ session_id: session.id, status: "active" });
  await owner.activity.setStatus({ activity_id: activity.id, status: "active" });
  const ids = { session_id: session.id, activity_id: activity.id };
  const people: Array<{ id: number; caller: ReturnType<ApiHarness["caller"]> }> = [];
  for (let i = 0; i < n; i++) {
    const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: `p${i}` });
    people.push({ id: joined.participant.id, caller: h.caller(joined.token) });
  }
  /** Asks as a participant; `status` set by the owner (what a new question starts as is the submit route's rule). */
  const ask = async (who: (typeof people)[number], text: string, status: "approved" | "pending" = "approved") => {
    const entry = await who.caller.response.submit({ ...ids, response_data: { question_text: text } });
    await owner.response.moderate({ ...ids, response_id: entry.id, status });
    return entry.id;
  };
  return { owner, session, activity, ids, people, ask };
}
