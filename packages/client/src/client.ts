import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import { authorizationHeader, endpointUrl, type TokenSource } from "./auth";
import type { AppRouter } from "./types";

export type CajaClientOptions = TokenSource & {
  /** The Caja server, e.g. `https://caja.example.com`; tRPC is served under `/trpc`. */
  url: string;
  /** A fetch implementation (tests, React Native, instrumentation); the global fetch by default. */
  fetch?: typeof fetch;
  /**
   * Send calls made in the same tick as one HTTP request (default true). Every call in a
   * batch is still rate limited and answered on its own.
   */
  batch?: boolean;
};

export type CajaClient = TRPCClient<AppRouter>;

/** The server refuses a batch of more calls (TRPC_MAX_BATCH, 50 by default): larger bursts go as several requests. */
const MAX_BATCH_CALLS = 50;

/** The link every Caja client uses: auth header per request, batching unless turned off. */
export function cajaLink(options: CajaClientOptions): TRPCLink<AppRouter> {
  const linkOptions = {
    url: endpointUrl(options.url, "trpc"),
    fetch: options.fetch,
    headers: () => authorizationHeader(options),
  };
  return options.batch === false
    ? httpLink(linkOptions)
    : httpBatchLink({ ...linkOptions, maxURLLength: 2000, maxItems: MAX_BATCH_CALLS });
}

/**
 * The typed tRPC client: `client.session.status.query({ session_id })`.
 * Inputs and outputs come from the server's router types.
 */
export function createCajaClient(options: CajaClientOptions): CajaClient {
  return createTRPCClient<AppRouter>({ links: [cajaLink(options)] });
}
