import { useTRPC } from "@caja/client/react";
import { useMutation } from "@tanstack/react-query";
import { memo, useId, useState, type FormEvent } from "react";
import { builtInTypes, type BuiltInType } from "../activity-types";
import { describeError } from "../shared/errors";
import { buildConfig, emptyDraft, formFields, type Field, type FormDraft } from "./config-fields";

/**
 * Adds an activity of a built-in type, with that type's form. Memoised: the session screen
 * re-renders on every poll, and React rewrites a controlled input's attributes on each render.
 */
export const ActivityForm = memo(function ActivityForm(props: {
  sessionId: number;
  nextIndex: number;
  onCreated(): Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [type, setType] = useState<BuiltInType>("poll");
  const [draft, setDraft] = useState<FormDraft>(() => emptyDraft("poll"));
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(
    trpc.activity.create.mutationOptions({
      onSuccess: async () => {
        setDraft(emptyDraft(type));
        await props.onCreated();
      },
    }),
  );
  const id = useId();

  const changeType = (next: BuiltInType) => {
    setType(next);
    setDraft(emptyDraft(next));
    setProblem(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildConfig(type, draft);
    if ("problem" in built) {
      setProblem(built.problem);
      return;
    }
    setProblem(null);
    create.mutate({
      session_id: props.sessionId,
      type,
      title: built.headline.slice(0, 255),
      config: built.config,
      order_index: props.nextIndex,
    });
  };

  return (
    <form className="card activity-form" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`}>Add an activity</h2>
      <div className="field">
        <label htmlFor={`${id}-type`}>Type</label>
        <select id={`${id}-type`} value={type} onChange={(e) => changeType(e.target.value as BuiltInType)}>
          {builtInTypes.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {formFields[type].map((field) => (
        <FieldInput key={`${type}-${field.key}`} id={`${id}-${field.key}`} field={field} draft={draft} onChange={setDraft} />
      ))}
      {(problem || create.error) && (
        <p className="error" role="alert">
          {problem ?? describeError(create.error)}
        </p>
      )}
      <button type="submit" className="primary" disabled={create.isPending}>
        Add activity
      </button>
    </form>
  );
});

function FieldInput({
  id,
  field,
  draft,
  onChange,
}: {
  id: string;
  field: Field;
  draft: FormDraft;
  onChange: (d: FormDraft) => void;
}) {
  const setValue = (value: string) => onChange({ ...draft, values: { ...draft.values, [field.key]: value } });
  switch (field.kind) {
    case "text":
      return (
        <div className="field">
          <label htmlFor={id}>{field.label}</label>
          <input
            id={id}
            value={draft.values[field.key] ?? ""}
            placeholder={field.placeholder}
            onChange={(e) => setValue(e.target.value)}
            required
          />
        </div>
      );
    case "number":
      return (
        <div className="field">
          <label htmlFor={id}>
            {field.label}
            {!field.required && <span className="muted"> (optional)</span>}
          </label>
          <input
            id={id}
            type="number"
            inputMode={field.integer ? "numeric" : "decimal"}
            min={field.min}
            max={field.max}
            step={field.integer ? 1 : "any"}
            value={draft.values[field.key] ?? ""}
            onChange={(e) => setValue(e.target.value)}
            required={field.required}
          />
        </div>
      );
    case "checkbox":
      return (
        <div className="field checkbox">
          <input
            id={id}
            type="checkbox"
            checked={draft.flags[field.key] ?? false}
            onChange={(e) => onChange({ ...draft, flags: { ...draft.flags, [field.key]: e.target.checked } })}
          />
          <label htmlFor={id}>{field.label}</label>
        </div>
      );
    case "options":
      return <OptionsInput id={id} label={field.label} withCorrect={field.withCorrect} draft={draft} onChange={onChange} />;
  }
}

function OptionsInput(props: {
  id: string;
  label: string;
  withCorrect: boolean;
  draft: FormDraft;
  onChange: (d: FormDraft) => void;
}) {
  const { draft, onChange } = props;
  const update = (index: number, patch: Partial<FormDraft["options"][number]>) =>
    onChange({ ...draft, options: draft.options.map((o, i) => (i === index ? { ...o, ...patch } : o)) });
  return (
    <fieldset className="options-input">
      <legend>{props.label}</legend>
      {draft.options.map((option, index) => (
        <div key={index} className="option-row">
          <label htmlFor={`${props.id}-${index}`} className="visually-hidden">
            Option {index + 1}
          </label>
          <input id={`${props.id}-${index}`} value={option.text} onChange={(e) => update(index, { text: e.target.value })} />
          {props.withCorrect && (
            <label className="inline">
              <input type="checkbox" checked={option.correct} onChange={(e) => update(index, { correct: e.target.checked })} />
              correct<span className="visually-hidden"> (option {index + 1})</span>
            </label>
          )}
          {draft.options.length > 2 && (
            <button
              type="button"
              className="link-button"
              onClick={() => onChange({ ...draft, options: draft.options.filter((_, i) => i !== index) })}
            >
              Remove<span className="visually-hidden"> option {index + 1}</span>
            </button>
          )}
        </div>
      ))}
      {draft.options.length < 20 && (
        <button type="button" onClick={() => onChange({ ...draft, options: [...draft.options, { text: "", correct: false }] })}>
          Add option
        </button>
      )}
    </fieldset>
  );
}
