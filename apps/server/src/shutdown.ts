import type { IncomingMessage, Server, ServerResponse } from "node:http";

/**
 * Graceful stop for the HTTP server: stop accepting connections, answer every
 * request already received (telling keep-alive clients the connection ends with
 * it), close idle keep-alive sockets, and cut whatever is left after `graceMs`.
 */
export interface GracefulShutdown {
  /** Call first thing for each request. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once every connection is closed (or cut after `graceMs`). */
  drain(graceMs: number): Promise<void>;
}

export function gracefulShutdown(server: Server): GracefulShutdown {
  const inFlight = new Set<ServerResponse>();
  let draining: Promise<void> | null = null;

  const endKeepAlive = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };

  // One listener for every response (`close` fires once): no closure or once-wrapper per request.
  function untrack(this: ServerResponse) {
    inFlight.delete(this);
    // Its socket may now be idle: nothing else would close it.
    if (draining) setImmediate(() => server.closeIdleConnections());
  }

  return {
    track(_req, res) {
      inFlight.add(res);
      if (draining) endKeepAlive(res);
      res.on("close", untrack);
    },
    drain(graceMs) {
      draining ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        for (const res of inFlight) endKeepAlive(res);
        server.closeIdleConnections();
      });
      return draining;
    },
  };
}
