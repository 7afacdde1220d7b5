import type { FeedResponse } from "@caja/client";
import { useTRPC } from "@caja/client/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { QuestionActions } from "../results/question-list";
import { describeError } from "../shared/errors";

/** After a moderation change, what the presenter sees now rather than at the next poll. */
function useModeration(sessionId: number, activityId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = { session_id: sessionId, activity_id: activityId };
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(trpc.activity.results.queryFilter(ids)),
      queryClient.invalidateQueries(trpc.activity.status.queryFilter(ids)),
      queryClient.invalidateQueries(trpc.response.feed.pathFilter()),
    ]);
  const moderate = useMutation(trpc.response.moderate.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.response.remove.mutationOptions({ onSettled: refresh }));
  return { ids, moderate, remove };
}

const questionText = (item: FeedResponse) => {
  const data = item.response_data as { question_text?: unknown } | null;
  return typeof data?.question_text === "string" ? data.question_text : JSON.stringify(item.response_data);
};

/** Questions waiting for the presenter (a moderated Q&A): approve or reject each. */
export function PendingQuestions(props: { sessionId: number; activityId: string; items: readonly FeedResponse[] }) {
  const { ids, moderate } = useModeration(props.sessionId, props.activityId);
  const pending = props.items.filter((item) => item.status === "pending");
  return (
    <section className="pending" aria-labelledby="pending-heading">
      <h3 id="pending-heading">Waiting for approval ({pending.length})</h3>
      {pending.length === 0 ? (
        <p className="muted">No questions waiting.</p>
      ) : (
        <ul className="pending-list">
          {pending.map((item) => (
            <li key={item.id} data-pending={questionText(item)}>
              <span>{questionText(item)}</span>
              <span className="question-actions">
                <button
                  type="button"
                  disabled={moderate.isPending}
                  aria-label={`Approve “${questionText(item)}”`}
                  onClick={() => moderate.mutate({ ...ids, response_id: item.id, status: "approved" })}
                >
                  Approve
                </button>
                <button
                  type="button"
                  disabled={moderate.isPending}
                  aria-label={`Reject “${questionText(item)}”`}
                  onClick={() => moderate.mutate({ ...ids, response_id: item.id, status: "rejected" })}
                >
                  Reject
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {moderate.error && (
        <p className="error" role="alert">
          {describeError(moderate.error)}
        </p>
      )}
    </section>
  );
}

/** The presenter's button on each shown question: delete it (e.g. an abusive one). */
export function useOwnerQuestionActions(sessionId: number, activityId: string): QuestionActions {
  const { ids, remove } = useModeration(sessionId, activityId);
  return (question) => (
    <button
      type="button"
      className="link-button"
      disabled={remove.isPending}
      aria-label={`Delete “${question.question_text}”`}
      onClick={() => {
        if (window.confirm(`Delete “${question.question_text}” for everyone?`))
          remove.mutate({ ...ids, response_id: question.id });
      }}
    >
      Delete
    </button>
  );
}
