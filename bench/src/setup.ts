import type { Pool } from "undici";
import { expectJson, paths } from "./http";
import type { ErrorLedger } from "./stats";

export interface Participant {
  /** The server's participant id. */
  id: number;
  token: string;
  authorization: string;
  /** Last ETag seen per polling route, sent back as If-None-Match like a browser would. */
  sessionEtag: string | null;
  activityEtag: string | null;
  /** Sequence number of this participant's next submission (it is in the response body). */
  nextSeq: number;
}

export interface Room {
  sessionId: number;
  joinCode: string;
  activityId: string;
  participants: Participant[];
}

interface SessionBody {
  id: number;
  join_code: string;
}
interface JoinBody {
  participant: { id: number };
  token: string;
}

/** A session and an activity, both active, as a presenter sets them up before the room joins. */
export async function openRoom(pool: Pool, ledger: ErrorLedger, adminToken: string, title: string, capacity: number) {
  const token = adminToken;
  const session = await expectJson<SessionBody>(pool, ledger, 201, "POST", paths.sessions, {
    token,
    body: { title, max_participants: Math.max(1, capacity) },
  });
  const activity = await expectJson<{ id: string }>(pool, ledger, 201, "POST", paths.activities(session.body.id), {
    token,
    body: { type: "poll", title: "Which option?", config: { options: ["a", "b", "c", "d"] } },
  });
  await expectJson(pool, ledger, 200, "PATCH", paths.sessionState(session.body.id), { token, body: { status: "active" } });
  await expectJson(pool, ledger, 200, "PATCH", paths.activityState(activity.body.id), { token, body: { status: "active" } });
  return { sessionId: session.body.id, joinCode: session.body.join_code, activityId: activity.body.id };
}

/**
 * Everyone joins through POST /api/v1/sessions/join, as a room does when the
 * code goes up on the screen, `concurrency` at a time. Tokens are the real JWTs
 * the server hands out.
 */
export async function joinAll(
  pool: Pool,
  ledger: ErrorLedger,
  joinCode: string,
  count: number,
  concurrency: number,
  prefix = "p",
): Promise<Participant[]> {
  const participants: Participant[] = new Array<Participant>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const joined = await expectJson<JoinBody>(pool, ledger, 201, "POST", paths.join, {
        body: { join_code: joinCode, nickname: `${prefix}${i}` },
      });
      participants[i] = {
        id: joined.body.participant.id,
        token: joined.body.token,
        authorization: `Bearer ${joined.body.token}`,
        sessionEtag: null,
        activityEtag: null,
        nextSeq: 1,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return participants;
}

/** The data a submission carries: `seq` tells versions apart in the database and the feed. */
export function responseData(participant: Participant, seq: number) {
  return { choice: "abcd"[(participant.id + seq) % 4], seq, participant: participant.id };
}
