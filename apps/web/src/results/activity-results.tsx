import { useResponseFeed } from "@caja/client/react";
import { asTyped, type TypedActivity } from "../activity-types";
import { tallyOptions, tallyRating, tallyWords, textsOf } from "./tally";
import { OptionBars, RatingHistogram, TextList, WordCloud } from "./charts";

interface ActivityRef {
  id: string;
  type: string;
  config: Record<string, unknown>;
}

/**
 * The live results of one activity. They are computed here from the response feed until the
 * results route exists; then `useResults(sessionId, activity.id)` replaces the `useResponseFeed`
 * call and the tallies, and the charts stay as they are.
 */
export function ActivityResults({ sessionId, activity }: { sessionId: number; activity: ActivityRef }) {
  const feed = useResponseFeed(sessionId, activity.id);
  const answers = feed.data?.items ?? [];
  const typed = asTyped(activity);
  if (!typed) return <p className="muted">{answers.length} responses (no chart for this activity type).</p>;
  return <Chart typed={typed} answers={answers} />;
}

function Chart({ typed, answers }: { typed: TypedActivity; answers: readonly { id: string; response_data?: unknown }[] }) {
  switch (typed.type) {
    case "poll":
      return <OptionBars results={tallyOptions(typed.config.options, answers)} />;
    case "quiz":
      return (
        <OptionBars
          results={tallyOptions(typed.config.options, answers)}
          correct={typed.config.correct_options}
          noun="answered"
        />
      );
    case "rating":
      return <RatingHistogram results={tallyRating(typed.config, answers)} />;
    case "word_cloud":
      return <WordCloud results={tallyWords(answers)} />;
    case "qa":
      return <TextList label="Questions" items={textsOf(answers, "question_text")} />;
    case "open_text":
      return <TextList label="Answers" items={textsOf(answers, "text")} />;
  }
}
