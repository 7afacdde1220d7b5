import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { activityRouter } from "./routers/activity";
import { exportRouter } from "./routers/export";
import { activityTypeRouter } from "./routers/activity-type";
import { participantRouter } from "./routers/participant";
import { responseRouter } from "./routers/response";
import { sessionRouter } from "./routers/session";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  session: sessionRouter,
  participant: participantRouter,
  activity: activityRouter,
  response: responseRouter,
  export: exportRouter,
  activityType: activityTypeRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
