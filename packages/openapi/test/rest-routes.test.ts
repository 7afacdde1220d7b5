import { appRouter } from "@caja/api";
import { describe, expect, it } from "vitest";
import { collectRoutes, matchRoute } from "../src/rest-routes";

/** Route matching on its own (over HTTP: apps/server/test/rest-http.test.ts). */
const routes = collectRoutes(appRouter);

describe("matchRoute", () => {
  it("matches a path to its route and decodes the path's parameters", () => {
    const match = matchRoute(routes, "GET", "/sessions/12/status");
    expect(match && "route" in match && match.route.procedure).toBe("session.status");
    expect(match && "params" in match && match.params).toEqual({ session_id: "12" });
    const decoded = matchRoute(routes, "GET", "/v1/sessions/a%20b");
    expect(decoded && "params" in decoded && decoded.params).toEqual({ session_id: "a b" });
  });

  it("keeps a parameter that is not valid percent-encoding as sent", () => {
    const match = matchRoute(routes, "GET", "/v1/sessions/%E0%A4%A");
    expect(match && "params" in match && match.params).toEqual({ session_id: "%E0%A4%A" });
  });

  it("prefers the route with more literal segments", () => {
    const match = matchRoute(routes, "GET", "/v1/sessions/12/status");
    expect(match && "route" in match && match.route.path).toBe("/v1/sessions/{session_id}/status");
  });

  it("lists the methods a path allows when only the method is wrong, and nothing for an unknown path", () => {
    const methods = routes.filter((r) => r.path === "/v1/sessions/{session_id}").map((r) => r.method);
    expect(methods).not.toContain("POST");
    const match = matchRoute(routes, "POST", "/v1/sessions/12");
    expect(match && "allowed" in match && [...match.allowed].sort()).toEqual([...methods].sort());
    expect(matchRoute(routes, "GET", "/v1/nothing/here")).toBeNull();
  });
});
