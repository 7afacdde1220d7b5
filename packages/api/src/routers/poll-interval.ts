import type { Context } from "../context";

export const pollIntervalMs = (ctx: Context) => ctx.deps.pollIntervalMs?.() ?? ctx.deps.settings.pollIntervalMs;
