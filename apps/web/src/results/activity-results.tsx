import type { ActivityResults as Results } from "@caja/client";
import { useResults } from "@caja/client/react";
import type { ReactNode } from "react";
import { describeError } from "../shared/errors";
import { OptionBars, RatingHistogram, TextList, WordCloud } from "./charts";
import { QuestionList, type QuestionActions } from "./question-list";

/**
 * The live results of one activity from the results route (`useResults`): the owner always
 * sees them; a participant sees them when revealed, and is told plainly when they are not.
 */
export function ActivityResults(props: { sessionId: number; activityId: string; questionActions?: QuestionActions }) {
  const { sessionId, activityId, questionActions } = props;
  const results = useResults(sessionId, activityId);
  const data = results.data;
  if (!data) return <p role="status">{results.error ? describeError(results.error) : "Loading the results…"}</p>;
  if (data.hidden)
    return (
      <p className="notice results-hidden" role="status" data-testid="results-hidden">
        Results are hidden for now. They appear here when the presenter reveals them.
      </p>
    );
  return (
    <div className="results" data-testid="results">
      {chart(data, questionActions)}
    </div>
  );
}

function chart(data: Results, questionActions?: QuestionActions): ReactNode {
  switch (data.type) {
    case "poll":
      return <OptionBars options={data.results.options} total={data.results.total_voters} />;
    case "quiz":
      return <OptionBars options={data.results.options} total={data.results.total_answers} noun="answered" />;
    case "rating":
      return <RatingHistogram results={data.results} />;
    case "word_cloud":
      return <WordCloud results={data.results} />;
    case "qa":
      return <QuestionList questions={data.results.questions} actions={questionActions} />;
    case "open_text":
      return <TextList label="Answers" items={data.results.entries} />;
    default:
      // A type this app does not know (a deployer's own): its generic result.
      return <p className="muted">{(data as { response_count: number }).response_count} responses.</p>;
  }
}
