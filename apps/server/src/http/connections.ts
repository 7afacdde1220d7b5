import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/**
 * How long a connection we close stays open to a client still sending: enough for it to
 * read an answer sent while its body was arriving, short enough not to hold sockets.
 */
const LINGER_MS = 5000;

export interface ConnectionLimits {
  /** Connections open at once (the process's). */
  maxConnections: number;
  /** Connections open at once from one peer address; 0: no such cap. */
  maxPerAddress: number;
  /** Peers the per-address cap does not apply to: trusted proxies, whose one address carries many clients. */
  exempt(address: string): boolean;
}

export interface Connections {
  /**
   * True while an answer on this socket has begun and not ended: anything else written to
   * the socket would land inside it.
   */
  responding(socket: Duplex): boolean;
}

interface Peer {
  count: number;
  idle: Set<Connection>;
}

interface Connection {
  readonly socket: Socket;
  readonly address: string;
  /** Its address's tally; null when the per-address cap does not apply to it. */
  readonly peer: Peer | null;
  /** Answers to its requests not yet closed (several when requests are pipelined). */
  readonly responses: Set<ServerResponse>;
  /** The request being answered, kept until its answer closes: was its body still arriving when the connection is closed? */
  last: IncomingMessage | null;
  closed: boolean;
}

/** The connection record on the socket and on each response, not a Map: no lookup per request. */
const connectionKey = Symbol("caja.connection");
type Tracked<T> = T & { [connectionKey]?: Connection };
/** Node's HTTP server ends a `Connection: close` answer's socket with this undocumented method; see `lingerOnClose`. */
type ClosableSocket = Socket & { destroySoon?: () => void };

/**
 * The server's connections, counted per process and per peer address. Idle keep-alive
 * connections cost a socket and nothing else, so they are shed first: at either cap a new
 * connection closes the longest-idle connection (its address's own at the per-address cap)
 * and is served; only when none is idle is the new one closed at once. A connection counts
 * as idle from its first byte until a request's headers have arrived, and again once every
 * answer on it has closed.
 */
export function manageConnections(server: Server, limits: ConnectionLimits): Connections {
  let open = 0;
  // Sets keep insertion order: the first entry has been idle the longest.
  const idle = new Set<Connection>();
  const peers = new Map<string, Peer>();

  const becomeIdle = (conn: Connection) => {
    idle.add(conn);
    conn.peer?.idle.add(conn);
  };
  const becomeBusy = (conn: Connection) => {
    idle.delete(conn);
    conn.peer?.idle.delete(conn);
  };

  const forget = (conn: Connection) => {
    if (conn.closed) return;
    conn.closed = true;
    open--;
    becomeBusy(conn);
    const { peer } = conn;
    if (peer && --peer.count === 0) peers.delete(conn.address);
  };

  /** Closes the longest-idle connection of `pool`; false when there is none. */
  const shedOne = (pool: Set<Connection>): boolean => {
    const oldest = pool.values().next();
    if (oldest.done) return false;
    forget(oldest.value);
    oldest.value.socket.destroy();
    return true;
  };

  function closed(this: Tracked<Socket>) {
    const conn = this[connectionKey];
    if (conn) forget(conn);
  }

  function answered(this: Tracked<ServerResponse>) {
    const conn = this[connectionKey];
    if (!conn) return;
    conn.responses.delete(this);
    // Node has called destroySoon by now if it was to: an idle connection holds no request.
    if (conn.last === this.req) conn.last = null;
    if (conn.responses.size === 0 && !conn.closed) becomeIdle(conn);
  }

  server.on("connection", (socket: Tracked<ClosableSocket>) => {
    const address = addressOf(socket);
    const capped = limits.maxPerAddress > 0 && !limits.exempt(address);
    let peer = capped ? peers.get(address) : undefined;
    const full =
      (peer !== undefined && peer.count >= limits.maxPerAddress && !shedOne(peer.idle)) ||
      (open >= limits.maxConnections && !shedOne(idle));
    if (full) {
      socket.destroy();
      return;
    }
    if (capped && !peer) {
      peer = { count: 0, idle: new Set() };
      peers.set(address, peer);
    }
    if (peer) peer.count++;
    open++;
    const conn: Connection = { socket, address, peer: peer ?? null, responses: new Set(), last: null, closed: false };
    socket[connectionKey] = conn;
    becomeIdle(conn);
    socket.once("close", closed);
    socket.destroySoon = lingerOnClose;
  });

  // After the app's own listener: an answer it ended at once still closes later, on a later tick.
  server.on("request", (req: IncomingMessage, res: Tracked<ServerResponse>) => {
    const conn = (req.socket as Tracked<Socket>)[connectionKey];
    if (!conn) return;
    conn.responses.add(res);
    conn.last = req;
    becomeBusy(conn);
    res[connectionKey] = conn;
    res.on("close", answered);
  });

  return {
    responding(socket) {
      const conn = (socket as Tracked<Duplex>)[connectionKey];
      if (!conn) return false;
      for (const res of conn.responses) if (res.headersSent && !res.writableEnded) return true;
      return false;
    },
  };
}

/**
 * Ends the connection after what has been written to it, without cutting off a client that
 * is still sending. Closing a socket with unread data makes the kernel answer with a reset,
 * and a reset makes the client's kernel drop whatever it has not yet read: a 413 or 431 sent
 * while the body or headers were still arriving would never be seen. So (like nginx's
 * lingering close) the answer and a FIN go out, what still arrives is read and dropped, and
 * the socket closes once the client has closed its side, or after `LINGER_MS`.
 */
export function closeAfterAnswer(socket: Duplex): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end();
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once("close", () => clearTimeout(cut));
  // Whatever still arrives is read (and dropped); a paused socket would leave it unread.
  socket.resume();
  // Destroying drops what is not yet handed to the kernel: wait until our answer is.
  const closeOnceSent = () => {
    if (socket.writableFinished) socket.destroy();
    else socket.once("finish", () => socket.destroy());
  };
  if (socket.readableEnded) closeOnceSent();
  else socket.once("end", closeOnceSent);
}

/**
 * Replaces node's `destroySoon` (end, then destroy once flushed) on our sockets: when the
 * answer ended while its request's body was still arriving (a 413 before the whole body was
 * read), the connection closes as `closeAfterAnswer` does instead.
 */
function lingerOnClose(this: Tracked<Socket>): void {
  const last = this[connectionKey]?.last;
  if (last && !last.complete) {
    closeAfterAnswer(this);
    return;
  }
  if (this.writable) this.end();
  if (this.writableFinished) this.destroy();
  else this.once("finish", () => this.destroy());
}

function addressOf(socket: Socket): string {
  const address = socket.remoteAddress ?? "unknown";
  // Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d.
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
