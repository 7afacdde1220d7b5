import { cajaErrorCode } from "@caja/client";
import { useSessionStatus } from "@caja/client/react";
import { useEffect } from "react";
import { ConnectionStatus } from "../shared/connection-status";
import { isLostAccess } from "../shared/errors";
import { CurrentActivity } from "./current-activity";
import type { ParticipantIdentity } from "./participant-app";

/** A joined participant: whatever the presenter has on now, or a calm wait for it. */
export function InSession({
  identity,
  onLeave,
  onRemoved,
}: {
  identity: ParticipantIdentity;
  onLeave: (why?: string) => void;
  /** The presenter removed this participant (401 PARTICIPANT_REMOVED). */
  onRemoved: () => void;
}) {
  const status = useSessionStatus(identity.session_id);
  const lost = status.error && isLostAccess(status.error);
  const removed = lost && cajaErrorCode(status.error) === "PARTICIPANT_REMOVED";
  useEffect(() => {
    if (removed) onRemoved();
    else if (lost)
      onLeave(
        `You are no longer in “${identity.session_title}”: the session was deleted or your place expired. Join again to take part.`,
      );
  }, [lost, removed, onLeave, onRemoved, identity.session_title]);

  const session = status.data;
  return (
    <>
      <header className="topbar">
        <span className="brand">{identity.session_title}</span>
        <div className="topbar-end">
          <ConnectionStatus queries={[status]} />
          <span className="muted">
            as <strong data-testid="nickname">{identity.nickname}</strong>
          </span>
          <button type="button" className="link-button" onClick={() => onLeave()}>
            Leave
          </button>
        </div>
      </header>
      <main className="page narrow participant">
        {!session ? (
          <>
            <h1 tabIndex={-1} className="visually-hidden">
              {identity.session_title}
            </h1>
            <p role="status">{status.error ? "Can't reach the session right now; trying again…" : "Connecting…"}</p>
          </>
        ) : session.status === "completed" ? (
          <section className="card waiting">
            <h1 tabIndex={-1}>The session has ended</h1>
            <p>Thanks for taking part, {identity.nickname}!</p>
          </section>
        ) : session.current_activity_id ? (
          <CurrentActivity
            key={session.current_activity_id}
            sessionId={identity.session_id}
            participantId={identity.participant_id}
            activityId={session.current_activity_id}
          />
        ) : (
          <section className="card waiting" aria-live="polite">
            <h1 tabIndex={-1}>You're in, {identity.nickname}</h1>
            <p>Waiting for the presenter to start the first activity…</p>
          </section>
        )}
      </main>
    </>
  );
}
