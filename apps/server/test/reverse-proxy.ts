import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A reverse proxy on the same machine as the server, relaying as nginx's default
 * `proxy_pass http://127.0.0.1:<port>;` does: it connects from loopback, rewrites `Host` to the
 * upstream's (`$proxy_host`), speaks HTTP/1.0 with `Connection: close`, adds no forwarding
 * header, and passes every other header and the body through. Real TCP both ways.
 */
export interface ReverseProxy {
  url: string;
  close(): Promise<void>;
}

export async function startReverseProxy(upstream: string): Promise<ReverseProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const upstreamSocket = connect(Number(target.port), target.hostname, () => {
        upstreamSocket.write(rewriteHead(head.subarray(0, end).toString("latin1"), target.host));
        upstreamSocket.write(head.subarray(end + 4));
        client.pipe(upstreamSocket);
        upstreamSocket.pipe(client);
      });
      sockets.add(upstreamSocket);
      upstreamSocket.once("close", () => sockets.delete(upstreamSocket));
      upstreamSocket.on("error", () => client.destroy());
      client.on("error", () => upstreamSocket.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy is not listening on a port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function rewriteHead(head: string, upstreamHost: string): string {
  const [requestLine = "", ...headers] = head.split("\r\n");
  const kept = headers.filter((line) => !/^(host|connection|keep-alive)\s*:/i.test(line));
  const [method, path] = requestLine.split(" ");
  return [`${method} ${path} HTTP/1.0`, `Host: ${upstreamHost}`, "Connection: close", ...kept, "", ""].join("\r\n");
}
