import createClient, { type Client, type Middleware } from "openapi-fetch";
import { authorizationHeader, endpointUrl, type TokenSource } from "../auth";
import type { paths } from "./schema";

export type { components, operations, paths } from "./schema";
export { retryAfterHeaderMs } from "../errors";

export type CajaRestClientOptions = TokenSource & {
  /** The Caja server, e.g. `https://caja.example.com`: the paths are written in full (`/api/...`). */
  url: string;
  fetch?: typeof fetch;
};

/** `openapi-fetch` client typed by the server's OpenAPI document: `GET("/api/sessions/{session_id}/status", ...)`. */
export type CajaRestClient = Client<paths>;

/**
 * A typed REST client: paths, parameters, bodies and answers (including the
 * `{ error: { code, message, details } }` error body) come from the generated types.
 * Rate-limited calls answer 429 with a `Retry-After` header: see `retryAfterHeaderMs`.
 */
export function createCajaRestClient(options: CajaRestClientOptions): CajaRestClient {
  const client = createClient<paths>({
    // The document's paths start with `/api`; a base URL that ends in `/api` too is taken as the host.
    baseUrl: endpointUrl(options.url, "api").replace(/\/api$/, ""),
    // Bound late, so a fetch replaced after creation (tests, instrumentation) is the one used.
    fetch: (request) => (options.fetch ?? globalThis.fetch)(request),
  });
  const auth: Middleware = {
    async onRequest({ request }) {
      for (const [name, value] of Object.entries(await authorizationHeader(options))) request.headers.set(name, value);
      return request;
    },
  };
  client.use(auth);
  return client;
}
