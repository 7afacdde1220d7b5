import { CajaProvider } from "@caja/client/react";
import { useState } from "react";
import { navigate } from "../router";
import { useStoredState } from "../shared/stored";
import { InSession } from "./in-session";
import { JoinForm } from "./join-form";
import { RemovedScreen } from "./removed-screen";

/** What a participant keeps across reloads: the token is the identity. */
export interface ParticipantIdentity {
  token: string;
  session_id: number;
  session_title: string;
  participant_id: number;
  nickname: string;
  join_code: string;
}

/** Join by code (pre-filled from `/join/CODE` or `?code=`), then follow the session. */
export function ParticipantApp({ initialCode }: { initialCode: string }) {
  const [identity, setIdentity] = useStoredState<ParticipantIdentity>("caja.participant");
  const [notice, setNotice] = useState<string | null>(null);
  const [removedFrom, setRemovedFrom] = useState<ParticipantIdentity | null>(null);
  // A link to another session than the one this browser is in asks to join that one.
  const current = identity && (!initialCode || identity.join_code === initialCode.toUpperCase()) ? identity : null;
  return (
    <CajaProvider url={window.location.origin} token={current?.token ?? null}>
      {removedFrom ? (
        <RemovedScreen
          sessionTitle={removedFrom.session_title}
          onBack={() => {
            setRemovedFrom(null);
            navigate(`/join/${encodeURIComponent(removedFrom.join_code)}`, { replace: true });
          }}
        />
      ) : current ? (
        <InSession
          identity={current}
          onLeave={(why) => {
            setNotice(why ?? null);
            setIdentity(null);
            navigate(`/join/${encodeURIComponent(current.join_code)}`, { replace: true });
          }}
          onRemoved={() => {
            // The token is worthless now: forget it, so a reload or the way back starts fresh.
            setIdentity(null);
            setNotice(null);
            setRemovedFrom(current);
          }}
        />
      ) : (
        <JoinForm
          initialCode={initialCode}
          notice={notice}
          onJoined={(joined) => {
            setNotice(null);
            setIdentity(joined);
            navigate(`/join/${encodeURIComponent(joined.join_code)}`, { replace: true });
          }}
        />
      )}
    </CajaProvider>
  );
}
