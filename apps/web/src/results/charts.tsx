import type { ResultsByType } from "@caja/client";

type OptionResult = { option: string; count: number; percentage: number; correct?: boolean | null };

/** One bar per option. The numbers are text too: the bars are decoration for sighted readers. */
export function OptionBars(props: { options: readonly OptionResult[]; total: number; noun?: string }) {
  const { options, total, noun = "voted" } = props;
  const most = Math.max(1, ...options.map((o) => o.count));
  return (
    <div className="bars-wrap">
      <ul className="bars" aria-label="Votes per option">
        {options.map(({ option, count, percentage, correct }) => (
          <li key={option} className="bar-row" data-option={option} data-count={count}>
            <span className="bar-label">
              {option}
              {correct === true && <span className="correct"> ✓ correct</span>}
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
        {total} {total === 1 ? "person" : "people"} {noun}
      </p>
    </div>
  );
}

export function RatingHistogram({ results }: { results: ResultsByType["rating"] }) {
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

export function WordCloud({ results }: { results: ResultsByType["word_cloud"] }) {
  if (results.words.length === 0) return <p className="muted">No words yet.</p>;
  const most = Math.max(...results.words.map((w) => w.count));
  return (
    <ul className="word-cloud" aria-label="Words, most frequent first">
      {results.words.slice(0, 60).map(({ word, normalized, count }) => (
        <li key={normalized} style={{ fontSize: `${1 + (count / most) * 1.8}rem` }}>
          {word}
          <span className="visually-hidden"> ({count})</span>
        </li>
      ))}
    </ul>
  );
}

/** Newest first: the open answers as they arrive. */
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
