import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressLimitKey, countingRefusals, defaultLimitRules, MemoryRateLimiter } from "../src/ratelimit";
import { createCaller, createContext } from "../src/index";
import { createApiHarness, type ApiHarness } from "./harness";

describe("addressLimitKey", () => {
  it("keys IPv4 addresses by themselves", () => {
    expect(addressLimitKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressLimitKey("unknown")).toBe("unknown");
  });

  it.each([
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
  ])("keys the IPv6 address %s by its /64 (%s)", (address, key) => {
    expect(addressLimitKey(address)).toBe(key);
  });

  it("gives every address of one /64 the same key and the next /64 another", () => {
    expect(addressLimitKey("2001:db8:aa:bb::1")).toBe(addressLimitKey("2001:db8:aa:bb:ffff:ffff:ffff:fffe"));
    expect(addressLimitKey("2001:db8:aa:bb::1")).not.toBe(addressLimitKey("2001:db8:aa:bc::1"));
  });
});

describe("per-address limits (in-process)", () => {
  let h: ApiHarness;
  let joinCode: string;
  beforeAll(async () => {
    h = await createApiHarness({
      limits: { join: { limit: 2, windowMs: 60_000 }, invalid_token: { limit: 3, windowMs: 60_000 } },
    });
    const admin = h.caller(h.adminToken("alice"));
    joinCode = (await admin.session.create({ title: "Limits" })).join_code;
  }, 60_000);
  afterAll(async () => h?.close());

  const from = (ip: string, token?: string) =>
    createCaller(createContext({ headers: new Headers(token ? { authorization: `Bearer ${token}` } : {}), deps: h.deps, ip }));

  it("limits joins per IPv6 /64, not per address: rotating the interface id buys nothing", async () => {
    const outcomes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      outcomes.push(
        await from(`2001:db8:7:7::${i.toString(16)}`)
          .participant.join({ join_code: joinCode, nickname: `v6-${i}` })
          .then(
            () => "ok",
            (error: { cause?: { code?: string } }) => error.cause?.code ?? "?",
          ),
      );
    }
    expect(outcomes).toEqual(["ok", "ok", "RATE_LIMITED"]);
    // Another /64 has its own budget.
    await expect(from("2001:db8:7:8::1").participant.join({ join_code: joinCode, nickname: "v6-other" })).resolves.toBeDefined();
  });

  it("counts invalid tokens per address; once spent, invalid ones get 429 and valid ones still pass", async () => {
    const ip = "198.51.100.20";
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        await from(ip, `garbage.${i}.token`)
          .session.list({})
          .then(
            () => "ok",
            (error: { cause?: { code?: string } }) => error.cause?.code ?? "?",
          ),
      );
    }
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED"]);
    // A valid token never seen before is checked and served: the budget refuses only tokens that fail.
    await expect(from(ip, h.adminToken("fresh")).session.list({})).resolves.toBeDefined();
    await expect(from(ip, "garbage.again.token").session.list({})).rejects.toMatchObject({ cause: { code: "RATE_LIMITED" } });
    // Another address is unaffected.
    await expect(from("198.51.100.21", "garbage.other.token").session.list({})).rejects.toMatchObject({
      cause: { code: "UNAUTHORIZED" },
    });
  });
});

describe("countingRefusals", () => {
  it("counts each refusal by class, nothing that was allowed, and passes refunds through", () => {
    const rule = { limit: 2, windowMs: 60_000 };
    const { limiter, refusals } = countingRefusals(
      new MemoryRateLimiter({ ...defaultLimitRules, write: rule, invalid_token: rule }),
    );
    const verdicts = [1, 2, 3].map(() => limiter.check("write", "alice"));
    expect(verdicts.map((v) => ("ok" in v ? v.ok : "pending"))).toEqual([true, true, false]);
    for (let i = 0; i < 2; i++) expect(limiter.check("invalid_token", "198.51.100.7")).toEqual({ ok: true, retryAfter: 0 });
    expect(limiter.check("invalid_token", "198.51.100.7")).toMatchObject({ ok: false });
    limiter.refund("write", "alice", Date.now());
    expect(limiter.check("write", "alice")).toMatchObject({ ok: true });
    expect(refusals).toMatchObject({ write: 1, invalid_token: 1, poll: 0, read: 0, join: 0 });
  });
});
