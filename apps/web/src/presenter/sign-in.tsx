import { useId, useState, type FormEvent } from "react";
import { exchangeSignInCode, signInCodeOf } from "./sign-in-link";

/**
 * An admin token: from a one-time sign-in link (opened, which signs in before this screen shows,
 * see sign-in-link.ts; or pasted here), or pasted as is (the server prints one at start on its
 * embedded default; `pnpm caja token` makes others).
 */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tokenId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const code = signInCodeOf(token.trim());
    if (code) {
      setBusy(true);
      exchangeSignInCode(code).then(onSignedIn, (error: unknown) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      });
      return;
    }
    const trimmed = token.trim().replace(/^Bearer\s+/i, "");
    if (trimmed.split(".").length !== 3) {
      setProblem(
        "That does not look like a token: paste the long text after CAJA_TOKEN= that the server printed, or a sign-in link.",
      );
      return;
    }
    onSignedIn(trimmed);
  };

  return (
    <main className="page narrow">
      <h1 tabIndex={-1}>Present with Caja</h1>
      {notice && (
        <p className="notice" role="alert">
          {notice}
        </p>
      )}
      <section className="card" aria-labelledby="link-heading">
        <h2 id="link-heading">With a sign-in link</h2>
        <p>
          Open the link the server printed when it started (<code>pnpm start</code>), or run <code>pnpm caja sign-in-link</code>{" "}
          where the server runs for a new one. Each link signs in once, and only for a few minutes.
        </p>
      </section>
      <form className="card" onSubmit={submit}>
        <h2>With an admin token</h2>
        <label htmlFor={tokenId}>Admin token</label>
        <input
          id={tokenId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={`${tokenId}-hint`}
          required
        />
        <p id={`${tokenId}-hint`} className="hint">
          <code>pnpm start</code> prints one (<code>export CAJA_TOKEN=…</code>); <code>pnpm -s caja token --role admin</code>{" "}
          makes another. A sign-in link pasted here works too.
        </p>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
