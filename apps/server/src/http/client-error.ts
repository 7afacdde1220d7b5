import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { CajaError, toWireError } from "@caja/api";

/**
 * Requests node's HTTP parser refuses before any handler sees them (a broken
 * Content-Length, headers over the size or count limit, a request that did not
 * arrive within `requestTimeout`/`headersTimeout`) are answered in the error
 * format rather than node's bare `400 Bad Request`, then the connection is closed:
 * after a parse error nothing more on it can be trusted.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: Buffer },
  socket: Duplex & { bytesWritten?: number },
): void {
  // A reset connection cannot be answered; a response already under way cannot be replaced.
  if (error.code === "ECONNRESET" || !socket.writable || (socket.bytesWritten ?? 0) > 0) {
    socket.destroy();
    return;
  }
  const wire = toWireError(clientErrorOf(error));
  // An answer to HEAD has no body (a client would read ours as the next response); the
  // request line is in the data node could not parse, when it has it.
  const head = error.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  const body = head ? "" : JSON.stringify(wire.body);
  socket.end(
    `HTTP/1.1 ${wire.status} ${STATUS_CODES[wire.status] ?? "Error"}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${head ? 0 : Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
  // end() flushes the answer first; a client that never reads it must not hold the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
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
