/**
 * The container's HEALTHCHECK (Dockerfile): exits 0 when the server on this machine answers
 * GET /ready with 200 (it is listening and reaches its database), 1 otherwise. A slim image has
 * no curl; it has node. Reads PORT and HOST as the server does, and nothing else, so that a
 * check every few seconds loads no more than this file.
 */
const port = process.env.PORT?.trim() || "3000";
const listen = process.env.HOST?.trim() || "0.0.0.0";
const host = listen === "0.0.0.0" || listen === "::" ? "127.0.0.1" : listen.includes(":") ? `[${listen}]` : listen;

fetch(`http://${host}:${port}/ready`, { signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  (error: unknown) => {
    console.error(`[caja] health check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
