import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invokeProcedure, proceduresOf, spreadPatchStatus, trpcErrorAnswer } from "../src/trpc-internals";

/**
 * What Caja relies on in tRPC's internals (src/trpc-internals.ts). After a tRPC
 * upgrade these fail by name instead of the server turning silently slower or
 * answering differently: see README, Development, "Upgrading tRPC".
 */
// Not dev mode: error shapes carry no stack, as on the server.
const t = initTRPC.context<{ user: string }>().meta<{ tag?: string }>().create({ isDev: false });
const seen: string[] = [];
const logged = t.procedure.use(async ({ path, next }) => {
  seen.push(path);
  return next();
});
const router = t.router({
  greeting: t.router({
    hello: logged
      .meta({ tag: "hi" })
      .input(z.object({ name: z.string().min(1) }))
      .output(z.object({ text: z.string() }))
      .query(({ ctx, input }) => ({ text: `hello ${input.name} from ${ctx.user}` })),
    fails: logged.query(() => {
      throw new TRPCError({ code: "CONFLICT", message: "taken" });
    }),
  }),
  rename: logged.input(z.object({ to: z.string() })).mutation(({ input }) => input.to),
});

describe("the @trpc/server patch", () => {
  it("is in effect: every copy of tRPC's object-spread helper is the patched one", () => {
    const { files, patched } = spreadPatchStatus();
    expect(files, "no _objectSpread2 in @trpc/server's build: the patch has nothing to replace (drop it?)").toBeGreaterThan(0);
    expect(patched, "@trpc/server runs its original spread helper: re-apply patches/@trpc__server@*.patch").toBe(files);
  });

  it("is declared for the installed version", () => {
    const require = createRequire(import.meta.url);
    const { version } = JSON.parse(readFileSync(require.resolve("@trpc/server/package.json"), "utf8")) as { version: string };
    const workspace = readFileSync(new URL("../../../pnpm-workspace.yaml", import.meta.url), "utf8");
    expect(workspace).toContain(`"@trpc/server@${version}": patches/@trpc__server@${version}.patch`);
  });
});

describe("callProcedure (invokeProcedure)", () => {
  it("runs a nested procedure by its dotted path, through its middleware and its output parser", async () => {
    seen.length = 0;
    await expect(invokeProcedure(router, { user: "ada" }, "greeting.hello", "query", { name: "bo" })).resolves.toEqual({
      text: "hello bo from ada",
    });
    expect(seen).toEqual(["greeting.hello"]);
    await expect(invokeProcedure(router, { user: "ada" }, "rename", "mutation", { to: "x" })).resolves.toBe("x");
  });

  it("validates the input: a bad one is a BAD_REQUEST TRPCError", async () => {
    const error = await invokeProcedure(router, { user: "ada" }, "greeting.hello", "query", { name: "" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });

  it("refuses an unknown path and a query called as a mutation, with NOT_FOUND", async () => {
    for (const [path, type] of [
      ["greeting.nothing", "query"],
      ["greeting.hello", "mutation"],
    ] as const) {
      const error = await invokeProcedure(router, { user: "ada" }, path, type, {}).catch((e: unknown) => e);
      expect([path, (error as TRPCError).code]).toEqual([path, "NOT_FOUND"]);
    }
  });
});

describe("getErrorShape (trpcErrorAnswer)", () => {
  it("answers an error exactly as tRPC's own HTTP handler does", async () => {
    const res = await fetchRequestHandler({
      endpoint: "/trpc",
      req: new Request("http://x/trpc/greeting.fails"),
      router,
      createContext: () => ({ user: "ada" }),
    });
    const viaTrpc = (await res.json()) as { error: unknown };
    const error = await invokeProcedure(router, { user: "ada" }, "greeting.fails", "query", undefined).catch((e: unknown) => e);
    const ours = trpcErrorAnswer(router, error, { path: "greeting.fails", input: undefined, ctx: { user: "ada" } });
    expect(ours.status).toBe(res.status);
    expect(ours.status).toBe(409);
    expect({ error: ours.shape }).toEqual(viaTrpc);
  });
});

describe("router._def.procedures (proceduresOf)", () => {
  it("lists every procedure flat by dotted path, with its type and meta", () => {
    const procedures = proceduresOf(router);
    expect([...procedures.keys()].sort()).toEqual(["greeting.fails", "greeting.hello", "rename"]);
    expect(procedures.get("greeting.hello")).toEqual({ type: "query", meta: { tag: "hi" } });
    expect(procedures.get("rename")?.type).toBe("mutation");
  });
});
