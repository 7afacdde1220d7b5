import type { TRPCRouterRecord } from "@trpc/server";
import { activityTypeList, activityTypeListInput } from "../schemas/results";
import { procedure } from "../trpc";

export const activityTypeRouter = {
  list: procedure
    .meta({
      access: "public",
      openapi: {
        method: "GET",
        path: "/v1/activity-types",
        tags: ["Activity types"],
        summary: "List the registered activity types with the JSON Schemas of their config, response and results",
      },
      limit: "read",
      // The same answer for everyone until the deployment changes: shared caches may keep it.
      publicMaxAgeSeconds: 300,
    })
    .input(activityTypeListInput)
    .output(activityTypeList)
    .query(({ ctx }) => ({ items: ctx.deps.activityTypes.list() })),
} satisfies TRPCRouterRecord;
