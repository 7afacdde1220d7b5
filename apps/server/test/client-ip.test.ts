import { describe, expect, it } from "vitest";
import { clientAddress, parseProxyTrust, trustsAnyProxy, type ProxyTrust } from "../src/client-ip";

const trust = (text: string): ProxyTrust => {
  const parsed = parseProxyTrust(text);
  if (!parsed) throw new Error(`refused ${text}`);
  return parsed;
};

describe("parseProxyTrust", () => {
  it("reads true/false as one hop/none, numbers as hops", () => {
    expect(trust("false")).toEqual({ hops: 0 });
    expect(trust("0")).toEqual({ hops: 0 });
    expect(trust("true")).toEqual({ hops: 1 });
    expect(trust("1")).toEqual({ hops: 1 });
    expect(trust("3")).toEqual({ hops: 3 });
    expect(trustsAnyProxy(trust("false"))).toBe(false);
    expect(trustsAnyProxy(trust("2"))).toBe(true);
    expect(trustsAnyProxy(trust("10.0.0.1"))).toBe(true);
  });

  it.each(["yes", "10.0.0.0/33", "::1/129", "10.0.0.1/8/1", "proxy.internal", "10.0.0.1,", "-1", "1.5"])("refuses %j", (text) => {
    expect(parseProxyTrust(text)).toBeNull();
  });
});

describe("clientAddress", () => {
  const peer = "10.0.0.5";

  it("is the socket peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress(peer, "1.2.3.4", trust("false"))).toBe(peer);
    expect(clientAddress("::ffff:192.0.2.7", undefined, trust("false"))).toBe("192.0.2.7");
    expect(clientAddress(undefined, undefined, trust("false"))).toBe("unknown");
  });

  it("with one hop takes the entry the proxy appended, never the client's own leftmost entries", () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddress(peer, "6.6.6.6, 203.0.113.9", trust("true"))).toBe("203.0.113.9");
    expect(clientAddress(peer, ["6.6.6.6", "203.0.113.9"], trust("1"))).toBe("203.0.113.9");
    expect(clientAddress(peer, "203.0.113.9", trust("1"))).toBe("203.0.113.9");
  });

  it("with two hops takes the entry the outer proxy appended", () => {
    expect(clientAddress(peer, "6.6.6.6, 203.0.113.9, 10.0.0.4", trust("2"))).toBe("203.0.113.9");
  });

  it("without X-Forwarded-For is the peer (a request that did not come through the proxy)", () => {
    expect(clientAddress(peer, undefined, trust("1"))).toBe(peer);
  });

  it("with a chain shorter than the hops is the leftmost entry there is", () => {
    expect(clientAddress(peer, "203.0.113.9", trust("3"))).toBe("203.0.113.9");
  });

  it("with a proxy list walks left past listed proxies only", () => {
    const proxies = trust("10.0.0.0/8, 2001:db8::/32");
    expect(clientAddress(peer, "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies)).toBe("203.0.113.9");
    expect(clientAddress("2001:db8::1", "6.6.6.6, 2001:db9::42", proxies)).toBe("2001:db9::42");
    // A peer that is not a listed proxy is the client itself: its header is not believed.
    expect(clientAddress("198.51.100.1", "6.6.6.6", proxies)).toBe("198.51.100.1");
    // The client cannot pass as a proxy by writing a listed address: the walk stops at the first unlisted one.
    expect(clientAddress(peer, "10.9.9.9, 203.0.113.9", proxies)).toBe("203.0.113.9");
    // Every hop a proxy: the leftmost is all there is.
    expect(clientAddress(peer, "10.2.2.2", proxies)).toBe("10.2.2.2");
  });

  it("accepts the forms proxies write: ports, brackets, IPv4-mapped IPv6", () => {
    expect(clientAddress(peer, "203.0.113.9:5123", trust("1"))).toBe("203.0.113.9");
    expect(clientAddress(peer, "[2001:db8::7]:443", trust("1"))).toBe("2001:db8::7");
    expect(clientAddress("::ffff:10.0.0.5", "::ffff:203.0.113.9", trust("10.0.0.0/8"))).toBe("203.0.113.9");
  });
});
