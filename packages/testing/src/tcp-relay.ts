import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP relay on 127.0.0.1 in front of a server (Redis, PostgreSQL): forwards each
 * connection byte for byte, and lets a test cut connections as a network would.
 */
export interface TcpRelay {
  port: number;
  /** Destroys every relayed connection at once (both sides see them reset). */
  dropAll(): void;
  /** Refuses new connections (stops listening); those already open keep working. */
  refuseNew(): Promise<void>;
  /** Drops connections and refuses new ones. */
  close(): Promise<void>;
}

export interface TcpRelayOptions {
  /** Drop a connection when its client sends its n-th chunk (e.g. 2: after PostgreSQL's startup message). */
  dropAtClientChunk?: number;
  /**
   * Called once per connection; what it returns sees each chunk that client sends, before it is
   * forwarded (e.g. to count a protocol's messages: one parser per stream of bytes).
   */
  observeClient?: () => (chunk: Buffer) => void;
}

export async function startTcpRelay(target: { host: string; port: number }, options: TcpRelayOptions = {}): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: target.host, port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    let chunks = 0;
    const observe = options.observeClient?.();
    client.on("data", (chunk: Buffer) => {
      observe?.(chunk);
      if (++chunks === options.dropAtClientChunk) {
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("relay has no port");
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  // Resolves once the server stopped listening and its last connection ended.
  let closed: Promise<void> | undefined;
  const stopListening = () => (closed ??= new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port: address.port,
    dropAll,
    refuseNew: () => {
      void stopListening();
      return Promise.resolve();
    },
    close: async () => {
      const done = stopListening();
      dropAll();
      await done;
    },
  };
}
