import type { RouterOutputs } from "@caja/client";
import { useActivityStatus, useResponseFeed, useResults, useTRPC } from "@caja/client/react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { promptOf, typeLabel } from "../activity-types";
import { ActivityResults } from "../results/activity-results";
import { QuizLeaderboard } from "../results/leaderboard";
import { PendingQuestions, useOwnerQuestionActions } from "./question-moderation";
import { ResultsControls } from "./results-controls";
import { ConnectionStatus } from "../shared/connection-status";
import { Countdown } from "../shared/countdown";

type Activity = RouterOutputs["activity"]["list"]["items"][number];

/** The activity on screen: its question, how many answered, the results and the latest answers. */
export function LiveActivity({ sessionId, activity }: { sessionId: number; activity: Activity }) {
  const status = useActivityStatus(sessionId, activity.id);
  const feed = useResponseFeed(sessionId, activity.id);
  // The same query ActivityResults reads (shared by key): here only for the connection status.
  const results = useResults(sessionId, activity.id);
  const deleteQuestion = useOwnerQuestionActions(sessionId, activity.id);
  const count = status.data?.response_count ?? 0;
  return (
    <section className="card live" aria-labelledby="live-heading">
      <div className="live-head">
        <p className="muted">
          {typeLabel(activity.type)} ·{" "}
          <span className={`badge badge-${status.data?.status ?? activity.status}`}>
            {status.data?.status ?? activity.status}
          </span>
        </p>
        <ConnectionStatus queries={[status, feed, results]} />
      </div>
      <h2 id="live-heading" className="live-question">
        {promptOf(activity)}
      </h2>
      {activity.ends_at && (status.data?.status ?? activity.status) === "active" && <Countdown endsAt={activity.ends_at} />}
      <p className="response-count" role="status" aria-live="polite">
        <strong data-testid="response-count">{count}</strong> {count === 1 ? "response" : "responses"}
      </p>
      <ResultsControls sessionId={sessionId} activity={activity} />
      {activity.type === "qa" && activity.config.moderation === true && (
        <PendingQuestions sessionId={sessionId} activityId={activity.id} items={feed.data?.items ?? []} />
      )}
      <ActivityResults
        sessionId={sessionId}
        activityId={activity.id}
        questionActions={activity.type === "qa" ? deleteQuestion : undefined}
      />
      {activity.type === "quiz" && <QuizLeaderboard sessionId={sessionId} />}
      <LatestAnswers sessionId={sessionId} items={feed.data?.items ?? []} />
    </section>
  );
}

function LatestAnswers({
  sessionId,
  items,
}: {
  sessionId: number;
  // participant_id is null only for participants' views of an anonymous Q&A; the presenter owns the session.
  items: readonly { id: string; participant_id: number | null; response_data?: unknown; updated_at: string }[];
}) {
  const trpc = useTRPC();
  const participants = useQuery(trpc.participant.list.queryOptions({ session_id: sessionId, limit: 100 }));
  // The presenter owns the session, so the list is the owner's view (with ids), not the lobby's.
  const names = useMemo(
    () => new Map(participants.data?.items.flatMap((p) => ("id" in p ? [[p.id, p.nickname] as const] : []))),
    [participants.data],
  );
  const unknown = items.some((item) => item.participant_id !== null && !names.has(item.participant_id));
  const { refetch, isFetching } = participants;
  useEffect(() => {
    // Someone who joined after the last read: read the list again (not on every poll).
    if (unknown && !isFetching) void refetch();
  }, [unknown, isFetching, refetch]);

  if (items.length === 0) return null;
  const latest = [...items].sort((a, b) => b.updated_at.localeCompare(a.updated_at)).slice(0, 8);
  return (
    <details className="feed">
      <summary>Latest answers</summary>
      <ul>
        {latest.map((item) => (
          <li key={item.id}>
            <strong>
              {item.participant_id === null ? "Anonymous" : (names.get(item.participant_id) ?? `#${item.participant_id}`)}
            </strong>{" "}
            <span className="muted">{summarise(item.response_data)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function summarise(data: unknown): string {
  if (typeof data !== "object" || data === null) return JSON.stringify(data);
  const record = data as Record<string, unknown>;
  for (const key of ["selected_options", "words"]) if (Array.isArray(record[key])) return (record[key] as unknown[]).join(", ");
  for (const key of ["question_text", "text", "value"]) {
    const value = record[key];
    if (value !== undefined) return typeof value === "string" ? value : JSON.stringify(value);
  }
  return JSON.stringify(data);
}
