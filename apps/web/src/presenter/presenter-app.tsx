import { CajaProvider } from "@caja/client/react";
import { createContext, useContext, useState } from "react";
import { useStoredState } from "../shared/stored";
import { SessionList } from "./session-list";
import { SessionView } from "./session-view";
import { SignIn } from "./sign-in";
import { useSignInLink } from "./sign-in-link";

interface PresenterAuth {
  /** Forget the admin token; `notice` tells the sign-in screen why. */
  signOut: (notice?: string) => void;
}
const PresenterAuthContext = createContext<PresenterAuth>({ signOut: () => {} });
export const usePresenterAuth = () => useContext(PresenterAuthContext);

/** The presenter's screens behind an admin token kept in this browser. */
export function PresenterApp({ sessionId }: { sessionId?: number }) {
  const [token, setToken] = useStoredState<string>("caja.presenter.token");
  const [notice, setNotice] = useState<string | null>(null);
  const signedIn = (next: string) => {
    setNotice(null);
    setToken(next);
  };
  // A sign-in link replaces whatever token this browser had: it is what the person just opened.
  const link = useSignInLink(signedIn, setNotice);
  if (link.pending) {
    return (
      <main className="page narrow">
        <h1 tabIndex={-1}>Present with Caja</h1>
        <p role="status">Signing in with your link…</p>
      </main>
    );
  }
  if (!token) return <SignIn notice={notice} onSignedIn={signedIn} />;
  const auth: PresenterAuth = {
    signOut: (why) => {
      setNotice(why ?? null);
      setToken(null);
    },
  };
  return (
    <CajaProvider url={window.location.origin} token={token}>
      <PresenterAuthContext.Provider value={auth}>
        {sessionId === undefined ? <SessionList /> : <SessionView sessionId={sessionId} />}
      </PresenterAuthContext.Provider>
    </CajaProvider>
  );
}
