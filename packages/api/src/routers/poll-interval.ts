import type { Context } from "../context";

export const pollIntervalMs = (ctx: Context) => ctx.pollIntervalMs?.() ?? ctx.settings.pollIntervalMs;
