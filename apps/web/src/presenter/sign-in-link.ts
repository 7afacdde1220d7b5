import { useEffect, useEffectEvent, useState } from "react";

/**
 * The one-time sign-in link the server prints (`/present#code=...`, or `pnpm caja sign-in-link`):
 * the code rides in the fragment, which the browser never sends, and is POSTed to `/sign-in`
 * (apps/server/src/http/sign-in-link.ts) for an admin token. It is taken out of the address bar
 * at once, so it stays in neither the history nor a bookmark.
 */

/** The code in a sign-in link, or in a pasted copy of one. */
export function signInCodeOf(text: string): string | null {
  const hash = text.includes("#") ? text.slice(text.indexOf("#") + 1) : "";
  const code = new URLSearchParams(hash).get("code")?.trim();
  return code ? code : null;
}

// A code is good once: StrictMode runs effects twice, and each run must not spend it again.
const exchanges = new Map<string, Promise<string>>();

/** The admin token the server gives for `code`; rejects with a sentence for a person. */
export function exchangeSignInCode(code: string): Promise<string> {
  let exchange = exchanges.get(code);
  if (!exchange) {
    exchange = postCode(code);
    exchanges.set(code, exchange);
  }
  return exchange;
}

class Unanswered extends Error {}

async function postCode(code: string): Promise<string> {
  try {
    const res = await fetch("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    }).catch(() => {
      throw new Unanswered("Can't reach the server.");
    });
    const body = (await res.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
    if (res.ok && body.token) return body.token;
    if (res.status === 429 || res.status >= 500) {
      const wait = Number(res.headers.get("retry-after"));
      const why = res.status === 429 ? (body.error?.message ?? "Too many attempts") : "The server could not answer";
      throw new Unanswered(`${why}. Try again${wait > 0 ? ` in ${wait} s` : " shortly"}.`);
    }
    throw new Error(body.error?.message ?? `The server refused the sign-in link (${res.status}).`);
  } catch (error) {
    // The code was not judged: a later try may still use it.
    if (error instanceof Unanswered) exchanges.delete(code);
    throw error;
  }
}

/**
 * Signs in with the link this page was opened with, if any: `pending` while the code is being
 * exchanged. The fragment is cleared before anything else happens.
 */
export function useSignInLink(onSignedIn: (token: string) => void, onFailed: (why: string) => void): { pending: boolean } {
  const [code] = useState(() => signInCodeOf(window.location.hash));
  const [pending, setPending] = useState(code !== null);
  const succeeded = useEffectEvent((token: string) => {
    setPending(false);
    onSignedIn(token);
  });
  const failed = useEffectEvent((error: unknown) => {
    setPending(false);
    onFailed(error instanceof Error ? error.message : String(error));
  });
  useEffect(() => {
    if (code === null) return;
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, "", pathname + search);
    let current = true;
    exchangeSignInCode(code).then(
      (token) => current && succeeded(token),
      (error: unknown) => current && failed(error),
    );
    return () => {
      current = false;
    };
  }, [code]);
  return { pending };
}
