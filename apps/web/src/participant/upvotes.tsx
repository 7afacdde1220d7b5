import { useTRPC } from "@caja/client/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { QuestionActions } from "../results/question-list";

/**
 * A participant's upvote toggle on each question but its own. The server keeps one vote per
 * participant (repeating is harmless); which ones are ours is remembered on this screen.
 */
export function useUpvoteActions(sessionId: number, activityId: string): (ownIds: ReadonlySet<string>) => QuestionActions {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = { session_id: sessionId, activity_id: activityId };
  const [voted, setVoted] = useState<ReadonlySet<string>>(new Set());
  const onSuccess = (state: { response_id: string; voted: boolean }) => {
    setVoted((current) => {
      const next = new Set(current);
      if (state.voted) next.add(state.response_id);
      else next.delete(state.response_id);
      return next;
    });
    return queryClient.invalidateQueries(trpc.activity.results.queryFilter(ids));
  };
  const vote = useMutation(trpc.response.vote.mutationOptions({ onSuccess }));
  const unvote = useMutation(trpc.response.unvote.mutationOptions({ onSuccess }));
  return (ownIds) => (question) => {
    if (ownIds.has(question.id)) return <span className="muted">yours</span>;
    const on = voted.has(question.id);
    return (
      <button
        type="button"
        className={on ? "upvote upvoted" : "upvote"}
        aria-pressed={on}
        disabled={vote.isPending || unvote.isPending}
        onClick={() => (on ? unvote : vote).mutate({ ...ids, response_id: question.id })}
      >
        {/* The visible text stays in the name (axe: label-content-name-mismatch); aria-pressed says whether it is on. */}
        <span aria-hidden="true">▲ </span>Upvote<span className="visually-hidden"> “{question.question_text}”</span>
      </button>
    );
  };
}
