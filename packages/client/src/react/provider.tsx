import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { createCajaClient, type CajaClientOptions } from "../client";
import { CajaAuthContext, type CajaAuth } from "./auth-context";
import { TRPCProvider } from "./trpc-context";

export type CajaProviderProps = CajaClientOptions & {
  /** Share your app's QueryClient; by default the provider makes its own. */
  queryClient?: QueryClient;
  children: ReactNode;
};

/**
 * Everything the hooks need: a QueryClient, the typed tRPC client and the token.
 * `token` may change between renders (a new value replaces the current one), and
 * `useJoinSession` sets the participant's token here; `getToken` instead asks you before
 * every request.
 */
export function CajaProvider({ url, token, getToken, fetch, batch, queryClient, children }: CajaProviderProps) {
  const [ownQueryClient] = useState(() => queryClient ?? new QueryClient());
  const [currentToken, setCurrentToken] = useState<string | null>(token ?? null);
  const [tokenProp, setTokenProp] = useState(token);
  if (token !== tokenProp) {
    // Adjusting state to a changed prop during render, as React's docs recommend over an effect.
    setTokenProp(token);
    setCurrentToken(token ?? null);
  }

  // The client is made once; these refs let it read the latest token and callbacks per request,
  // so a new token or an inline getToken/fetch does not rebuild the client and its cache.
  // Updated on commit, not during render (a render React discards must not change them); layout
  // effects run before any child's passive effect, where queries start.
  const latest = useRef({ token: currentToken, getToken, fetch });
  useLayoutEffect(() => {
    latest.current = { token: currentToken, getToken, fetch };
  });

  const trpcClient = useMemo(
    () =>
      // eslint-disable-next-line react-hooks/refs -- the client calls these per request, never during render
      createCajaClient({
        url,
        batch,
        getToken: () => (latest.current.getToken ? latest.current.getToken() : latest.current.token),
        fetch: (input, init) => (latest.current.fetch ?? globalThis.fetch)(input, init),
      }),
    [url, batch],
  );
  const auth = useMemo<CajaAuth>(() => ({ token: currentToken, setToken: setCurrentToken }), [currentToken]);

  return (
    <QueryClientProvider client={queryClient ?? ownQueryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient ?? ownQueryClient}>
        <CajaAuthContext.Provider value={auth}>{children}</CajaAuthContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
