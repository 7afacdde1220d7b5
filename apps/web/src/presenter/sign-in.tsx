import { useEffect, useId, useState, type FormEvent } from "react";

/**
 * An admin token, pasted (the server prints one at start) or, when the server runs on its
 * embedded default and this page comes from the same machine, handed out by one click
 * (apps/server/src/http/local-sign-in.ts explains when and why that is safe).
 */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [localAvailable, setLocalAvailable] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const tokenId = useId();

  useEffect(() => {
    const controller = new AbortController();
    fetch("/local-sign-in", { signal: controller.signal })
      .then((res) => (res.ok ? (res.json() as Promise<{ available?: boolean }>) : { available: false }))
      .then((body) => setLocalAvailable(body.available === true))
      .catch(() => setLocalAvailable(false));
    return () => controller.abort();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim().replace(/^Bearer\s+/i, "");
    if (trimmed.split(".").length !== 3) {
      setProblem("That does not look like a token: paste the long text after CAJA_TOKEN= that the server printed.");
      return;
    }
    onSignedIn(trimmed);
  };

  const signInLocally = async () => {
    setProblem(null);
    try {
      const res = await fetch("/local-sign-in", { method: "POST" });
      const body = (await res.json()) as { token?: string; error?: { message?: string } };
      if (res.ok && body.token) onSignedIn(body.token);
      else setProblem(body.error?.message ?? `The server refused (${res.status}).`);
    } catch {
      setProblem("Can't reach the server.");
    }
  };

  return (
    <main className="page narrow">
      <h1 tabIndex={-1}>Present with Caja</h1>
      {notice && (
        <p className="notice" role="alert">
          {notice}
        </p>
      )}
      {localAvailable && (
        <section className="card" aria-labelledby="local-heading">
          <h2 id="local-heading">On this machine</h2>
          <p>The server runs with its embedded defaults here, so you can sign in as its admin directly.</p>
          <button type="button" className="primary" onClick={() => void signInLocally()}>
            Sign in as the local admin
          </button>
        </section>
      )}
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
          makes another.
        </p>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className={localAvailable ? undefined : "primary"}>
          Sign in
        </button>
      </form>
    </main>
  );
}
