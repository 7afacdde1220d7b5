import { isIP } from "node:net";

/**
 * The key an address is limited under. One IPv6 host usually owns a whole /64
 * (SLAAC, privacy addresses), so limiting per IPv6 address would give one
 * machine 2^64 budgets: IPv6 addresses are limited per /64, IPv4 per address.
 */
export function addressLimitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIPv6(address);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : address;
}

/** Eight 16-bit groups, lower-case, without leading zeros; null if not an IPv6 address. */
function expandIPv6(address: string): string[] | null {
  let text = address.split("%", 1)[0] ?? "";
  // An embedded IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((g) => parseInt(g, 16).toString(16));
}
