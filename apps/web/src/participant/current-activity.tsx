import { memo } from "react";
import { useActivityStatus, useSubmitResponse, useTRPC } from "@caja/client/react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { asTyped, promptOf, typeLabel } from "../activity-types";
import { Countdown } from "../shared/countdown";
import { describeError } from "../shared/errors";
import { ActivityResults } from "../results/activity-results";
import { AnswerForm } from "./answer-forms";
import { useUpvoteActions } from "./upvotes";

/**
 * The activity the presenter has on now, with the input its type needs. Memoised: the session
 * poll re-renders the screen around it, which must not rewrite the inputs.
 */
export const CurrentActivity = memo(function CurrentActivity({
  sessionId,
  participantId,
  activityId,
}: {
  sessionId: number;
  participantId: number;
  activityId: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = { session_id: sessionId, activity_id: activityId };
  const activity = useQuery(trpc.activity.get.queryOptions(ids, { staleTime: Infinity }));
  const status = useActivityStatus(sessionId, activityId);
  const mine = useQuery(trpc.response.list.queryOptions({ ...ids, limit: 100 }));
  const upvotes = useUpvoteActions(sessionId, activityId);
  const submit = useSubmitResponse({ onSuccess: () => queryClient.invalidateQueries(trpc.response.list.queryFilter()) });

  if (!activity.data) {
    return <p role="status">{activity.error ? describeError(activity.error) : "Loading the question…"}</p>;
  }
  const open = (status.data?.status ?? activity.data.status) === "active";
  const typed = asTyped(activity.data);
  // The list also holds others' approved entries where the type shares them (a Q&A): keep this participant's.
  const previous = (mine.data?.items ?? [])
    .filter((r) => r.participant_id === participantId)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const ownIds = new Set(previous.map((r) => r.id));
  return (
    <section className="card answer" aria-labelledby="question">
      <p className="muted">{typeLabel(activity.data.type)}</p>
      <h1 id="question" tabIndex={-1}>
        {promptOf(activity.data)}
      </h1>
      {open && activity.data.ends_at && <Countdown endsAt={activity.data.ends_at} />}
      {!open && <p className="notice">Answers are closed.</p>}
      {typed ? (
        <AnswerForm
          activity={typed}
          previous={previous.map((r) => r.response_data)}
          disabled={!open || submit.isPending}
          onSubmit={(response_data) => submit.mutate({ ...ids, response_data })}
        />
      ) : (
        <p>This activity type has no input here yet.</p>
      )}
      <p role="status" aria-live="polite" className={submit.error ? "error" : "sent"}>
        {submit.error ? describeError(submit.error) : submit.isSuccess ? sentMessage(activity.data.type) : ""}
      </p>
      <section className="participant-results" aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        <ActivityResults
          sessionId={sessionId}
          activityId={activityId}
          questionActions={activity.data.type === "qa" && open ? upvotes(ownIds) : undefined}
        />
      </section>
    </section>
  );
});

// Polls, quizzes and ratings keep one answer per person (sending again replaces it); the
// other built-ins collect every entry.
const sentMessage = (type: string) =>
  ["poll", "quiz", "rating"].includes(type) ? "Sent. You can change your answer while the activity is open." : "Sent.";
