import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { CajaError, toWireError } from "@caja/api";
import { closeAfterAnswer } from "./connections";
import { securityHeaderLines } from "./security-headers";

/** Sockets already answered: node may report the same broken request more than once. */
const answered = new WeakSet<Duplex>();

/**
 * Requests node's HTTP parser refuses before any handler sees them (a broken
 * Content-Length, headers over the size or count limit, a request that did not
 * arrive within `requestTimeout`/`headersTimeout`) are answered in the error
 * format rather than node's bare `400 Bad Request`, then the connection is closed:
 * after a parse error nothing more on it can be trusted. It closes as
 * `closeAfterAnswer` does, so that a client still sending can read the answer.
 *
 * `responding`: an answer to an earlier request on this (keep-alive) connection has
 * begun and not ended. Ours would land inside it, so the connection is cut instead.
 * Otherwise earlier answers on the connection are whole, and ours follows them.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: Buffer },
  socket: Duplex,
  responding: boolean,
): void {
  if (answered.has(socket)) return;
  // A reset connection cannot be answered; a response under way cannot be replaced.
  if (error.code === "ECONNRESET" || !socket.writable || responding) {
    socket.destroy();
    return;
  }
  answered.add(socket);
  const wire = toWireError(clientErrorOf(error));
  // An answer to HEAD has no body (a client would read ours as the next response); the
  // request line is in the data node could not parse, when it has it.
  const head = error.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  const body = head ? "" : JSON.stringify(wire.body);
  socket.write(
    `HTTP/1.1 ${wire.status} ${STATUS_CODES[wire.status] ?? "Error"}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${head ? 0 : Buffer.byteLength(body)}\r\n` +
      securityHeaderLines +
      "Connection: close\r\n\r\n" +
      body,
  );
  closeAfterAnswer(socket);
}

function clientErrorOf(error: Error & { code?: string }): CajaError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new CajaError("HEADERS_TOO_LARGE", "The request headers are too large or too many", { reason: error.code });
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new CajaError("REQUEST_TIMEOUT", "The request was not received in time", { reason: error.code });
    default:
      return new CajaError("VALIDATION_ERROR", "The request is not valid HTTP", {
        field: "request",
        reason: error.code ?? "malformed request",
      });
  }
}
