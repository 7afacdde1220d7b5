import type { Pool } from "undici";
import { callJson, expectJson, paths } from "./http";
import type { ErrorLedger } from "./stats";

export interface Participant {
  /** The server's participant id. */
  id: number;
  token: string;
  authorization: string;
  /** Last ETag seen per polling route, sent back as If-None-Match like a browser would. */
  sessionEtag: string | null;
  activityEtag: string | null;
  resultsEtag: string | null;
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
    // Unregistered: the answers carry seq and participant for the checks (a poll would refuse them).
    body: { type: "bench_vote", title: "Which option?", config: { question: "Which option?", options: ["a", "b", "c", "d"] } },
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
        resultsEtag: null,
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

export interface PeakFixture {
  sessionId: number;
  activityId: string;
  participantToken: string;
  adminToken: string;
  feedCursor: string;
  /** The answer's updated_at: a timestamp poll at the head. */
  feedNewest: string;
}

/**
 * A small room of its own for the peak runs, with one participant who both
 * polls and has answered: the big room's status keeps changing after the
 * scenario as its participants go quiet (active_participant_count), and so
 * would a room whose other members never poll; either turns 304s into 200s.
 */
export async function peakFixture(pool: Pool, ledger: ErrorLedger, adminToken: string): Promise<PeakFixture> {
  const room = await openRoom(pool, ledger, adminToken, "Bench peak room", 1);
  const [person] = await joinAll(pool, ledger, room.joinCode, 1, 1, "peak");
  if (!person) throw new Error("peak fixture: join failed");
  const res = await callJson(pool, ledger, "POST", paths.submit(room.sessionId, room.activityId), {
    token: person.token,
    body: { response_data: responseData(person, 1) },
  });
  if (res.status !== 201) throw new Error(`peak fixture: submission answered ${res.status}`);
  const answer = res.body as { updated_at: string };
  // The feed shows a row once it is below the watermark (every transaction of the database that
  // started before it has ended): a cursor read before that is not at the head, and each poll of
  // it would read the database.
  const feedPath = paths.feed(room.sessionId, room.activityId, "2000-01-01T00:00:00Z", null, 100);
  let feed = await callJson<{ next_cursor: string; count: number }>(pool, ledger, "GET", feedPath, { token: adminToken });
  for (let tries = 0; feed.body.count === 0 && tries < 100; tries++) {
    await new Promise((r) => setTimeout(r, 50));
    feed = await callJson(pool, ledger, "GET", feedPath, { token: adminToken });
  }
  if (feed.body.count === 0) throw new Error("peak fixture: the answer never reached the feed");
  return {
    sessionId: room.sessionId,
    activityId: room.activityId,
    participantToken: person.token,
    adminToken,
    feedCursor: feed.body.next_cursor,
    feedNewest: answer.updated_at,
  };
}
