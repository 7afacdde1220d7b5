import { CajaError, validationError } from "../errors";

/**
 * The stored size of a JSON value, capped per field apart from the body limit:
 * what one participant stores, every presenter poll reads back.
 */
export function assertJsonBytes(field: string, value: unknown, limitBytes: number): void {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "";
  } catch {
    throw validationError(field, "is nested too deeply");
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limitBytes) {
    throw new CajaError("PAYLOAD_TOO_LARGE", `${field} is larger than ${limitBytes} bytes`, {
      field,
      reason: "too large",
      limit_bytes: limitBytes,
      bytes,
    });
  }
}
