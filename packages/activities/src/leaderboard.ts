import { compareText } from "./tally";
import type { LeaderboardEntry } from "./wire";

export interface ScoredAnswer {
  participantId: number;
  nickname: string;
  points: number;
}

/** Totals per participant, most points first; ties listed by nickname, then id, so the order is stable. */
export function rankParticipants(answers: readonly ScoredAnswer[]): LeaderboardEntry[] {
  const totals = new Map<number, { nickname: string; points: number; answers: number }>();
  for (const a of answers) {
    const total = totals.get(a.participantId) ?? { nickname: a.nickname, points: 0, answers: 0 };
    total.points += a.points;
    total.answers += 1;
    totals.set(a.participantId, total);
  }
  const rows = [...totals].map(([participantId, t]) => ({ participant_id: participantId, ...t }));
  rows.sort((a, b) => b.points - a.points || compareText(a.nickname, b.nickname) || a.participant_id - b.participant_id);
  let rank = 0;
  return rows.map((row, index) => {
    if (index === 0 || row.points !== rows[index - 1]?.points) rank = index + 1;
    return { rank, participant_id: row.participant_id, nickname: row.nickname, points: row.points, answers: row.answers };
  });
}
