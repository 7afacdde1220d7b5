import { BlockList, isIP } from "node:net";

/**
 * Which proxies in front of the server are trusted to report the caller's address
 * in `X-Forwarded-For`: a number of hops, or the proxies' own addresses.
 *
 * Each proxy appends the address it received the request from, so the entries a
 * client writes itself are always on the left. Only entries appended by trusted
 * proxies are believed: the leftmost entry is the client's word and must never
 * key a limit.
 */
export type ProxyTrust = { hops: number } | { proxies: BlockList; list: string };

export const noProxy: ProxyTrust = { hops: 0 };

/** `false`/`0`: none; `true`: one hop; `2`: two hops; or a list of addresses and CIDRs. Null when malformed. */
export function parseProxyTrust(text: string): ProxyTrust | null {
  const value = text.trim().toLowerCase();
  if (value === "" || value === "false") return noProxy;
  if (value === "true") return { hops: 1 };
  if (/^\d{1,2}$/.test(value)) return { hops: Number(value) };
  const proxies = new BlockList();
  const entries = value.split(",").map((e) => e.trim());
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return null;
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) {
      proxies.addAddress(address, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (bits < 0 || bits > (family === 4 ? 32 : 128)) return null;
    proxies.addSubnet(address, bits, type);
  }
  return { proxies, list: entries.join(",") };
}

export function trustsAnyProxy(trust: ProxyTrust): boolean {
  return "proxies" in trust || trust.hops > 0;
}

/**
 * The caller's address: the socket's peer, or, behind trusted proxies, the address
 * the outermost trusted proxy saw. With `hops: n` that is the n-th entry from the
 * right of `X-Forwarded-For` (the socket peer being hop 1's own address); with a
 * proxy list it is the rightmost address that is not a listed proxy.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  let address = normalise(peer ?? "") || "unknown";
  if (!trustsAnyProxy(trust) || forwardedFor === undefined) return address;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((entry) => normalise(entry))
    .filter(Boolean);
  if ("proxies" in trust) {
    while (isTrusted(trust.proxies, address)) {
      const next = chain.pop();
      if (next === undefined) break;
      address = next;
    }
    return address;
  }
  for (let hop = 0; hop < trust.hops; hop++) {
    const next = chain.pop();
    if (next === undefined) break;
    address = next;
  }
  return address;
}

/** Whether a socket's peer is a trusted proxy; with a number of hops, every peer is taken to be one. */
export function isTrustedProxy(trust: ProxyTrust, peer: string): boolean {
  return "proxies" in trust ? isTrusted(trust.proxies, normalise(peer)) : trust.hops > 0;
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; proxies may add a port or brackets. */
function normalise(entry: string): string {
  let address = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) address = address.slice(7);
  return address;
}
