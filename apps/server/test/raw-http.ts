import { request } from "node:http";
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/**
 * One HTTP request with the path and headers exactly as given: `fetch` would normalise `..`
 * away and refuses to set Host, which is what these tests need to send.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

export interface RawConnection {
  socket: Socket;
  /** Everything received so far (latin1), and the error the socket ended with, if any. */
  state: { received: string; error: string };
  connected: Promise<void>;
  closed: Promise<void>;
}

/** A bare TCP connection to the server, from `localAddress` if given (any 127.x.y.z is this machine). */
export function rawConnection(baseUrl: string, localAddress?: string): RawConnection {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ port: Number(port), host: hostname, localAddress });
  const state = { received: "", error: "" };
  socket.on("data", (chunk: Buffer) => (state.received += chunk.toString("latin1")));
  socket.on("error", (error: Error & { code?: string }) => (state.error = error.code ?? error.message));
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, state, connected, closed };
}

/** Writes `chunk` `count` times, waiting for the socket to drain; stops if the connection fails. */
export async function writeAll(socket: Socket, chunk: string, count: number): Promise<void> {
  for (let i = 0; i < count && !socket.destroyed; i++) {
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        socket.once("drain", resolve);
        socket.once("close", resolve);
      });
    }
  }
}

/** Waits until `condition()` holds (checked every 10 ms), failing after `withinMs`. */
export async function until(condition: () => boolean, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
