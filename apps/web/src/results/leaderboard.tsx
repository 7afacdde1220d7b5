import type { RouterOutputs } from "@caja/client";
import { pollingDefaults, useTRPC } from "@caja/client/react";
import { useQuery } from "@tanstack/react-query";

type Leaderboard = RouterOutputs["session"]["leaderboard"];

/**
 * The session's quiz leaderboard (points over its quizzes), polled like the other live views.
 * Participants get completed quizzes only; the presenter sees the running totals.
 */
export function QuizLeaderboard({ sessionId }: { sessionId: number }) {
  const trpc = useTRPC();
  const board = useQuery(
    trpc.session.leaderboard.queryOptions(
      { session_id: sessionId },
      pollingDefaults<Leaderboard>({}, () => false),
    ),
  );
  const entries = board.data?.entries ?? [];
  return (
    <section className="leaderboard" aria-labelledby="leaderboard-heading">
      <h3 id="leaderboard-heading">Leaderboard</h3>
      {entries.length === 0 ? (
        <p className="muted">No quiz points yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Name</th>
              <th scope="col">Points</th>
            </tr>
          </thead>
          <tbody>
            {entries.slice(0, 10).map((entry) => (
              <tr key={entry.participant_id}>
                <td>{entry.rank}</td>
                <td>{entry.nickname}</td>
                <td>{entry.points}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
