import type { AnyTRPCRouter } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "../types";

// Named, so that declarations say `AppRouter` instead of spelling out the whole router. The
// router is a type argument of an alias rather than of `typeof createTRPCContext<...>`: the
// declaration bundler loses the import of a name used only inside an instantiation expression.
type TRPCContextOf<TRouter extends AnyTRPCRouter> = ReturnType<typeof createTRPCContext<TRouter>>;
type CajaTRPCContext = TRPCContextOf<AppRouter>;
const context: CajaTRPCContext = createTRPCContext<AppRouter>();

/**
 * The `@trpc/tanstack-react-query` options proxy:
 * `useQuery(trpc.session.get.queryOptions({ session_id }))`,
 * `useMutation(trpc.activity.setStatus.mutationOptions())`.
 */
export const useTRPC: CajaTRPCContext["useTRPC"] = context.useTRPC;
/** The typed tRPC client the provider made, for imperative calls. */
export const useTRPCClient: CajaTRPCContext["useTRPCClient"] = context.useTRPCClient;
/** The bare tRPC provider; `CajaProvider` renders it for you. */
export const TRPCProvider: CajaTRPCContext["TRPCProvider"] = context.TRPCProvider;
