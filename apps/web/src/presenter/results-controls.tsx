import type { RouterOutputs } from "@caja/client";
import { useCajaAuth, useTRPC } from "@caja/client/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { memo, useState } from "react";
import { describeError } from "../shared/errors";

type Activity = RouterOutputs["activity"]["list"]["items"][number];

/**
 * The owner's controls over an activity's results: reveal them to participants, download them.
 * Memoised: the live screen re-renders on every poll, and React rewrites an input's attributes
 * each time it renders one (the no-flicker browser test sees that).
 */
export const ResultsControls = memo(function ResultsControls({ sessionId, activity }: { sessionId: number; activity: Activity }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // What the presenter asked for, until the activity list says it is so: a controlled checkbox
  // must show the new state at once, not flip back while the update is on its way.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const reveal = useMutation(
    trpc.activity.update.mutationOptions({
      // Returned, so the mutation settles only once the list shows the new value.
      onSettled: () => queryClient.invalidateQueries(trpc.activity.list.queryFilter({ session_id: sessionId, limit: 100 })),
    }),
  );
  const id = `reveal-${activity.id}`;
  return (
    <div className="results-controls">
      <div className="field checkbox">
        <input
          id={id}
          type="checkbox"
          checked={wanted ?? activity.results_visible}
          disabled={reveal.isPending}
          onChange={(event) => {
            const results_visible = event.target.checked;
            setWanted(results_visible);
            reveal.mutate(
              { session_id: sessionId, activity_id: activity.id, results_visible },
              { onSettled: () => setWanted(null) },
            );
          }}
        />
        <label htmlFor={id}>Show results to participants</label>
      </div>
      <CsvDownload sessionId={sessionId} activityId={activity.id} />
      {reveal.error && (
        <p className="error" role="alert">
          {describeError(reveal.error)}
        </p>
      )}
    </div>
  );
});

/**
 * The export is an authenticated GET, so a plain link would go without the token: fetch it
 * with the bearer token and hand the browser the body as a file.
 */
function CsvDownload({ sessionId, activityId }: { sessionId: number; activityId: string }) {
  const { token } = useCajaAuth();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const path = `/api/v1/sessions/${sessionId}/activities/${encodeURIComponent(activityId)}/results/export?format=csv`;
      const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!response.ok) throw new Error(`The export failed (${response.status}).`);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "results.csv";
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.click();
      // After the click has handed the blob to the download; revoking at once can cancel it.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? "Preparing CSV…" : "Download CSV"}
      </button>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
    </>
  );
}
