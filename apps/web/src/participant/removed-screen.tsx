import { useEffect, useRef } from "react";

/** Shown once the presenter removed this participant: its token is already forgotten. */
export function RemovedScreen({ sessionTitle, onBack }: { sessionTitle: string; onBack: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The screen replaced the one the participant was on: move focus to what it says.
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="page narrow participant">
      <section className="card waiting" data-testid="removed">
        <h1 tabIndex={-1} ref={heading}>
          You were removed from this session
        </h1>
        <p>
          The presenter removed you from “{sessionTitle}”. Your answers so far stay with the session; you can join again if the
          presenter lets you.
        </p>
        <button type="button" className="primary wide" onClick={onBack}>
          Back to the join screen
        </button>
      </section>
    </main>
  );
}
