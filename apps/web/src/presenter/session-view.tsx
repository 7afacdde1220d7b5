import { useSessionStatus, useTRPC } from "@caja/client/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { Link } from "../router";
import { ConnectionStatus } from "../shared/connection-status";
import { describeError, isLostAccess } from "../shared/errors";
import { ActivityForm } from "./activity-form";
import { ActivityList } from "./activity-list";
import { JoinPanel } from "./join-panel";
import { LiveActivity } from "./live-activity";
import { usePresenterAuth } from "./presenter-app";
import { PresenterHeader } from "./presenter-header";

/** One session: its join code, its activities, and the live answers to the one on screen. */
export function SessionView({ sessionId }: { sessionId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { signOut } = usePresenterAuth();
  const session = useQuery(trpc.session.get.queryOptions({ session_id: sessionId }));
  // Keeps polling after the end too, so that the last state stays true on screen.
  const status = useSessionStatus(sessionId, { stopWhenCompleted: false });
  const activities = useQuery(trpc.activity.list.queryOptions({ session_id: sessionId, limit: 100 }));
  const [selected, setSelected] = useState<string | null>(null);

  const currentId = status.data?.current_activity_id ?? null;
  const sessionStatus = status.data?.status ?? session.data?.status;
  // Stable, so that the memoised form below does not re-render on every poll.
  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries(trpc.session.pathFilter()),
        queryClient.invalidateQueries(trpc.activity.pathFilter()),
      ]),
    [queryClient, trpc],
  );
  const setSessionStatus = useMutation(trpc.session.setStatus.mutationOptions({ onSettled: refresh }));

  useEffect(() => {
    if (session.error && isLostAccess(session.error) && session.error.data?.httpStatus === 401)
      signOut("The server did not accept that admin token. Sign in again.");
  }, [session.error, signOut]);

  if (session.error) {
    return (
      <>
        <PresenterHeader />
        <main className="page narrow">
          <h1 tabIndex={-1}>Session not available</h1>
          <p className="error" role="alert">
            {describeError(session.error)}
          </p>
          <Link href="/present">Back to your sessions</Link>
        </main>
      </>
    );
  }
  if (!session.data) {
    return (
      <main className="page">
        <p role="status">Loading the session…</p>
      </main>
    );
  }

  const shownId = selected ?? currentId;
  const shown = activities.data?.items.find((a) => a.id === shownId) ?? null;
  return (
    <>
      <PresenterHeader>
        <ConnectionStatus queries={[status]} />
      </PresenterHeader>
      <main className="page presenter">
        <div className="session-head">
          <h1 tabIndex={-1}>{session.data.title}</h1>
          <span className={`badge badge-${sessionStatus}`}>{sessionStatus}</span>
          {sessionStatus === "draft" && (
            <button type="button" onClick={() => setSessionStatus.mutate({ session_id: sessionId, status: "active" })}>
              Open session
            </button>
          )}
          {sessionStatus === "active" && (
            <button type="button" onClick={() => setSessionStatus.mutate({ session_id: sessionId, status: "completed" })}>
              End session
            </button>
          )}
          {setSessionStatus.error && (
            <p className="error" role="alert">
              {describeError(setSessionStatus.error)}
            </p>
          )}
        </div>
        <div className="presenter-grid">
          <JoinPanel
            joinCode={session.data.join_code}
            participants={status.data?.participant_count ?? session.data.participant_count}
            active={status.data?.active_participant_count}
            open={sessionStatus !== "completed"}
          />
          <div className="presenter-main">
            {shown ? (
              <LiveActivity sessionId={sessionId} activity={shown} />
            ) : (
              <section className="card live-empty" aria-label="Live results">
                <p>Start an activity and its answers appear here as they come in.</p>
              </section>
            )}
            <ActivityList
              sessionId={sessionId}
              sessionStatus={sessionStatus ?? "draft"}
              activities={activities.data?.items ?? []}
              shownId={shown?.id ?? null}
              onShow={setSelected}
              onChanged={refresh}
            />
            {sessionStatus !== "completed" && (
              <ActivityForm sessionId={sessionId} nextIndex={activities.data?.items.length ?? 0} onCreated={refresh} />
            )}
          </div>
        </div>
      </main>
    </>
  );
}
