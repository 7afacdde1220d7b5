import type { ResultsByType } from "@caja/client";
import type { ReactNode } from "react";

export type Question = ResultsByType["qa"]["questions"][number];
/** Buttons next to each question: moderation for the presenter, an upvote for participants. */
export type QuestionActions = (question: Question) => ReactNode;

/** Q&A questions as the server orders them: most votes first, then the older one. */
export function QuestionList({ questions, actions }: { questions: readonly Question[]; actions?: QuestionActions }) {
  if (questions.length === 0) return <p className="muted">No questions yet.</p>;
  return (
    <ol className="question-list" aria-label="Questions, most votes first">
      {questions.map((question) => (
        <li key={question.id} className="question" data-question={question.question_text} data-votes={question.votes}>
          <span className="question-votes" aria-label={`${question.votes} ${question.votes === 1 ? "vote" : "votes"}`}>
            {question.votes}
          </span>
          <span className="question-text">
            {question.question_text}
            {question.nickname && <span className="muted"> · {question.nickname}</span>}
          </span>
          {actions && <span className="question-actions">{actions(question)}</span>}
        </li>
      ))}
    </ol>
  );
}
