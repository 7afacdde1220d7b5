import { useTRPC } from "@caja/client/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Link, navigate } from "../router";
import { describeError, isLostAccess } from "../shared/errors";
import { usePresenterAuth } from "./presenter-app";
import { PresenterHeader } from "./presenter-header";

/** The presenter's sessions, newest first, and a form for a new one. */
export function SessionList() {
  const trpc = useTRPC();
  const { signOut } = usePresenterAuth();
  const sessions = useQuery(trpc.session.list.queryOptions({ limit: 50 }));
  const create = useMutation(trpc.session.create.mutationOptions({ onSuccess: (session) => navigate(`/present/${session.id}`) }));
  const [title, setTitle] = useState("");
  const titleId = useId();

  useEffect(() => {
    if (sessions.error && isLostAccess(sessions.error)) signOut("The server did not accept that admin token. Sign in again.");
  }, [sessions.error, signOut]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim()) create.mutate({ title: title.trim() });
  };

  return (
    <>
      <PresenterHeader />
      <main className="page">
        <h1 tabIndex={-1}>Your sessions</h1>
        <form className="card inline-form" onSubmit={submit}>
          <div className="field grow">
            <label htmlFor={titleId}>New session title</label>
            <input id={titleId} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={255} required />
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create session
          </button>
          {create.error && (
            <p className="error" role="alert">
              {describeError(create.error)}
            </p>
          )}
        </form>
        {sessions.isPending && <p>Loading…</p>}
        {sessions.error && !isLostAccess(sessions.error) && (
          <p className="error" role="alert">
            {describeError(sessions.error)}
          </p>
        )}
        {sessions.data && sessions.data.items.length === 0 && <p>No sessions yet: create one above.</p>}
        {sessions.data && sessions.data.items.length > 0 && (
          <ul className="session-list">
            {[...sessions.data.items]
              .sort((a, b) => b.id - a.id)
              .map((session) => (
                <li key={session.id}>
                  <Link href={`/present/${session.id}`}>{session.title}</Link>
                  <span className={`badge badge-${session.status}`}>{session.status}</span>
                  <span className="muted">
                    code <span className="mono">{session.join_code}</span> · {session.participant_count} joined
                  </span>
                </li>
              ))}
          </ul>
        )}
      </main>
    </>
  );
}
