import type { StoredResponse } from "@caja/activities";
import { queryRows, sql } from "@caja/db";
import { toWireError } from "../src/errors";
import type { ApiHarness } from "./harness";

export interface Room {
  sessionId: number;
  owner: ReturnType<ApiHarness["caller"]>;
  /** Each participant's caller and id. */
  people: Array<{ id: number; token: string; caller: ReturnType<ApiHarness["caller"]> }>;
  /** A started activity of this type and config. */
  activity(type: string, config: Record<string, unknown>): Promise<string>;
}

/** An active session of `owner` with `size` joined participants (built through the API). */
export async function openRoom(h: ApiHarness, size: number, ownerSub = "owner"): Promise<Room> {
  const owner = h.caller(h.adminToken(ownerSub));
  const session = await owner.session.create({ title: "Results", max_participants: Math.max(size, 10) });
  await owner.session.setStatus({ session_id: session.id, status: "active" });
  const people: Room["people"] = [];
  for (let i = 0; i < size; i++) {
    const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: `p${i}` });
    people.push({ id: joined.participant.id, token: joined.token, caller: h.caller(joined.token) });
  }
  return {
    sessionId: session.id,
    owner,
    people,
    activity: async (type, config) => {
      const created = await owner.activity.create({ session_id: session.id, type, config });
      await owner.activity.setStatus({ activity_id: created.id, status: "active" });
      return created.id;
    },
  };
}

/** The activity's live responses as a fresh SELECT of the table reads them (independent of the service's loader). */
export async function storedResponses(h: ApiHarness, activityId: string): Promise<StoredResponse[]> {
  const rows = await queryRows<{
    id: string;
    participant_id: number;
    nickname: string;
    response_data: unknown;
    status: StoredResponse["status"];
    vote_count: number;
    created_at: Date | string;
    updated_at: Date | string;
  }>(
    h.db.db,
    sql`select r.id, r.participant_id, p.nickname, r.response_data, r.status, r.vote_count, r.created_at, r.updated_at
          from user_responses r join participants p on p.id = r.participant_id
         where r.activity_id = ${activityId} and r.deleted_at is null`,
  );
  return rows.map((r) => ({
    id: r.id,
    participantId: Number(r.participant_id),
    nickname: r.nickname,
    data: r.response_data,
    status: r.status,
    votes: Number(r.vote_count),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }));
}

/** `registry.results` recomputed from the table, as the route should answer it. */
export async function recomputed(h: ApiHarness, activityId: string, options: { redact?: boolean } = {}): Promise<unknown> {
  const [activity] = await queryRows<{ type: string; config: unknown }>(
    h.db.db,
    sql`select type, config from activities where id = ${activityId}`,
  );
  if (!activity) throw new Error(`no activity ${activityId}`);
  return h.deps.activityTypes.results(activity.type, activity.config, await storedResponses(h, activityId), options);
}

/** The wire error of a call that must fail: status, code and details. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; details: unknown }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const wire = toWireError(error);
    return { status: wire.status, code: wire.body.error.code, details: wire.body.error.details };
  }
  throw new Error("the call succeeded");
}
