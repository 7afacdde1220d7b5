import { useId, useState, type FormEvent } from "react";
import type { PollResponse, RatingConfig, TypedActivity } from "../activity-types";

interface AnswerProps {
  activity: TypedActivity;
  /** This participant's earlier responses to the activity, oldest first. */
  previous: readonly unknown[];
  disabled: boolean;
  onSubmit(responseData: Record<string, unknown>): void;
}

/** The right input for each built-in type; each submits that type's response shape. */
export function AnswerForm(props: AnswerProps) {
  const { activity } = props;
  switch (activity.type) {
    case "poll":
      return <ChoiceForm {...props} options={activity.config.options} multiple={activity.config.allow_multiple === true} />;
    case "quiz":
      // Participants get the config without correct_options until the quiz completes; several
      // correct options, when known, make it a select-all-that-apply question.
      return (
        <ChoiceForm {...props} options={activity.config.options} multiple={(activity.config.correct_options?.length ?? 0) > 1} />
      );
    case "rating":
      return <RatingForm {...props} config={activity.config} />;
    case "word_cloud":
      return <WordsForm {...props} max={activity.config.max_words_per_participant} />;
    case "qa":
      return <TextForm {...props} field="question_text" label="Your question" action="Ask" />;
    case "open_text":
      return <TextForm {...props} field="text" label="Your answer" action="Send" maxLength={activity.config.max_length} />;
  }
}

const last = (previous: readonly unknown[]) => previous.at(-1) as Record<string, unknown> | undefined;

function ChoiceForm(props: AnswerProps & { options: readonly string[]; multiple: boolean }) {
  const earlier = (last(props.previous) as Partial<PollResponse> | undefined)?.selected_options ?? [];
  // Untouched, the form shows the last answer sent (which may arrive after the first render).
  const [picked, setPicked] = useState<string[] | null>(null);
  const selected = picked ?? earlier;
  const setSelected = setPicked;
  const name = useId();
  const toggle = (option: string, checked: boolean) =>
    setSelected(props.multiple ? (checked ? [...selected, option] : selected.filter((o) => o !== option)) : [option]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (selected.length > 0) props.onSubmit({ selected_options: selected });
  };
  return (
    <form onSubmit={submit}>
      <fieldset className="choices-input" disabled={props.disabled}>
        <legend className="visually-hidden">{props.multiple ? "Choose one or more" : "Choose one"}</legend>
        {props.options.map((option) => (
          <label key={option} className="choice-option">
            <input
              type={props.multiple ? "checkbox" : "radio"}
              name={name}
              value={option}
              checked={selected.includes(option)}
              onChange={(e) => toggle(option, e.target.checked)}
            />
            <span>{option}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary wide" disabled={props.disabled || selected.length === 0}>
        {earlier.length ? "Change my vote" : "Vote"}
      </button>
    </form>
  );
}

function RatingForm(props: AnswerProps & { config: RatingConfig }) {
  const step = props.config.step && props.config.step > 0 ? props.config.step : 1;
  const values: number[] = [];
  for (let v = props.config.min; v <= props.config.max + 1e-9 && values.length < 101; v += step)
    values.push(Math.round(v * 1000) / 1000);
  const earlier = last(props.previous)?.value;
  const [picked, setValue] = useState<number | null>(null);
  const value = picked ?? (typeof earlier === "number" ? earlier : null);
  const name = useId();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (value !== null) props.onSubmit({ value });
      }}
    >
      <fieldset className="rating-input" disabled={props.disabled}>
        <legend className="visually-hidden">
          Rate from {props.config.min} to {props.config.max}
        </legend>
        {values.map((v) => (
          <label key={v} className="rating-option">
            <input type="radio" name={name} value={v} checked={value === v} onChange={() => setValue(v)} />
            <span>{v}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary wide" disabled={props.disabled || value === null}>
        {earlier !== undefined ? "Change my rating" : "Rate"}
      </button>
    </form>
  );
}

function WordsForm(props: AnswerProps & { max?: number }) {
  const [text, setText] = useState("");
  const id = useId();
  const sent = props.previous.flatMap((p) => ((p as { words?: unknown }).words as string[] | undefined) ?? []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const words = text
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean)
      .slice(0, props.max ?? 10);
    if (words.length === 0) return;
    props.onSubmit({ words });
    setText("");
  };
  return (
    <form onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>Words (separate with commas)</label>
        <input id={id} value={text} onChange={(e) => setText(e.target.value)} disabled={props.disabled} maxLength={200} />
      </div>
      <button type="submit" className="primary wide" disabled={props.disabled || !text.trim()}>
        Send
      </button>
      {sent.length > 0 && <p className="muted">You sent: {sent.join(", ")}</p>}
    </form>
  );
}

function TextForm(props: AnswerProps & { field: string; label: string; action: string; maxLength?: number }) {
  const [text, setText] = useState("");
  const id = useId();
  const sent = props.previous
    .map((p) => (p as Record<string, unknown>)[props.field])
    .filter((t): t is string => typeof t === "string");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        props.onSubmit({ [props.field]: text.trim() });
        setText("");
      }}
    >
      <div className="field">
        <label htmlFor={id}>{props.label}</label>
        <textarea
          id={id}
          rows={3}
          value={text}
          maxLength={props.maxLength ?? 1000}
          onChange={(e) => setText(e.target.value)}
          disabled={props.disabled}
        />
      </div>
      <button type="submit" className="primary wide" disabled={props.disabled || !text.trim()}>
        {props.action}
      </button>
      {sent.length > 0 && <p className="sent-heading">You sent:</p>}
      {sent.length > 0 && (
        <ul className="muted sent-list" aria-label="What you sent">
          {sent.map((t, i) => (
            <li key={i}>{t}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
