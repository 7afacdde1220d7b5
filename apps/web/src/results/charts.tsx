import type { OptionResults, RatingResults, WordResults } from "./tally";

/** One bar per option. The numbers are text too: the bars are decoration for sighted readers. */
export function OptionBars(props: { results: OptionResults; correct?: readonly string[]; noun?: string }) {
  const { results, correct, noun = "voted" } = props;
  const most = Math.max(1, ...results.options.map((o) => o.count));
  return (
    <div className="bars-wrap">
      <ul className="bars" aria-label="Votes per option">
        {results.options.map(({ option, count, percentage }) => (
          <li key={option} className="bar-row" data-option={option} data-count={count}>
            <span className="bar-label">
              {option}
              {correct?.includes(option) && <span className="correct"> ✓ correct</span>}
            </span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar-fill" style={{ width: `${(count / most) * 100}%` }} />
            </span>
            <span className="bar-value">
              {count} <span className="muted">({percentage}%)</span>
            </span>
          </li>
        ))}
      </ul>
      <p className="muted">
        {results.total_voters} {results.total_voters === 1 ? "person" : "people"} {noun}
      </p>
    </div>
  );
}

export function RatingHistogram({ results }: { results: RatingResults }) {
  const most = Math.max(1, ...results.histogram.map((h) => h.count));
  return (
    <div className="bars-wrap">
      <p className="big-number">
        {results.average ?? "–"} <span className="muted">average of {results.count}</span>
      </p>
      <ul className="bars" aria-label="Ratings per value">
        {results.histogram.map(({ value, count }) => (
          <li key={value} className="bar-row" data-option={value} data-count={count}>
            <span className="bar-label">{value}</span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar-fill" style={{ width: `${(count / most) * 100}%` }} />
            </span>
            <span className="bar-value">{count}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function WordCloud({ results }: { results: WordResults }) {
  if (results.words.length === 0) return <p className="muted">No words yet.</p>;
  const most = Math.max(...results.words.map((w) => w.count));
  return (
    <ul className="word-cloud" aria-label="Words, most frequent first">
      {results.words.slice(0, 60).map(({ word, count }) => (
        <li key={word} style={{ fontSize: `${1 + (count / most) * 1.8}rem` }}>
          {word}
          <span className="visually-hidden"> ({count})</span>
        </li>
      ))}
    </ul>
  );
}

export function TextList({ label, items }: { label: string; items: readonly { id: string; text: string }[] }) {
  if (items.length === 0) return <p className="muted">Nothing yet.</p>;
  return (
    <ol className="text-list" aria-label={label} reversed>
      {[...items].reverse().map((item) => (
        <li key={item.id}>{item.text}</li>
      ))}
    </ol>
  );
}
