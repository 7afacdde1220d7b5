import type { RouterOutputs } from "@caja/client";
import { useTRPC } from "@caja/client/react";
import { useMutation } from "@tanstack/react-query";
import { promptOf, typeLabel } from "../activity-types";
import { describeError } from "../shared/errors";

type Activity = RouterOutputs["activity"]["list"]["items"][number];

/** The session's activities in order, each with the one control its lifecycle allows next. */
export function ActivityList(props: {
  sessionId: number;
  sessionStatus: string;
  activities: readonly Activity[];
  shownId: string | null;
  onShow: (id: string) => void;
  onChanged: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const setSessionStatus = useMutation(trpc.session.setStatus.mutationOptions());
  const setStatus = useMutation(trpc.activity.setStatus.mutationOptions({ onSettled: props.onChanged }));

  const start = async (activity: Activity) => {
    // Only an open session can run an activity: opening it is the obvious intent.
    if (props.sessionStatus === "draft") await setSessionStatus.mutateAsync({ session_id: props.sessionId, status: "active" });
    await setStatus.mutateAsync({ activity_id: activity.id, status: "active" });
    props.onShow(activity.id);
  };
  const error = setStatus.error ?? setSessionStatus.error;

  if (props.activities.length === 0) return null;
  const ordered = [...props.activities].sort((a, b) => a.order_index - b.order_index || a.created_at.localeCompare(b.created_at));
  return (
    <section className="card" aria-labelledby="activities-heading">
      <h2 id="activities-heading">Activities</h2>
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      <ol className="activity-list">
        {ordered.map((activity) => (
          <li key={activity.id} className={activity.id === props.shownId ? "shown" : undefined}>
            <div className="activity-text">
              <span className="muted">{typeLabel(activity.type)}</span>
              <span>{promptOf(activity)}</span>
            </div>
            <span className={`badge badge-${activity.status}`}>{activity.status}</span>
            <div className="activity-actions">
              {activity.status === "draft" && props.sessionStatus !== "completed" && (
                <button
                  type="button"
                  className="primary"
                  disabled={setStatus.isPending}
                  onClick={() => void start(activity).catch(() => {})}
                >
                  Start<span className="visually-hidden"> {promptOf(activity)}</span>
                </button>
              )}
              {activity.status === "active" && (
                <button
                  type="button"
                  disabled={setStatus.isPending}
                  onClick={() => setStatus.mutate({ activity_id: activity.id, status: "completed" })}
                >
                  Stop<span className="visually-hidden"> {promptOf(activity)}</span>
                </button>
              )}
              {activity.status !== "draft" && activity.id !== props.shownId && (
                <button type="button" className="link-button" onClick={() => props.onShow(activity.id)}>
                  Show results<span className="visually-hidden"> of {promptOf(activity)}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
