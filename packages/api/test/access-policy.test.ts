import { describe, expect, it } from "vitest";
import { accessDescriptions, accessRules, appRouter, type CajaMeta } from "../src/index";

describe("access policy declarations", () => {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: CajaMeta } }>);

  it("finds the router's procedures", () => {
    expect(procedures.length).toBeGreaterThan(0);
  });

  it.each(procedures.map(([path, procedure]) => [path, procedure._def.meta?.access] as const))(
    "%s declares a known access rule (%s)",
    (_path, access) => {
      expect(accessRules).toContain(access);
    },
  );

  it("describes every rule in one line", () => {
    for (const rule of accessRules) expect(accessDescriptions[rule]).toMatch(/^[^\n]+\.$/);
  });
});
