import { QueryClient } from "@tanstack/react-query";
import { createElement, type ReactNode } from "react";
import { CajaProvider } from "../../src/react/index";
import type { LiveServer } from "./live-server";

/** A `renderHook` wrapper: the hooks under a real CajaProvider talking to the live server. */
export function providerFor(server: LiveServer, options: { token?: string; fetch?: typeof fetch } = {}) {
  // A QueryClient per test: no cache shared between tests.
  const queryClient = new QueryClient();
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(CajaProvider, { url: server.url, token: options.token, fetch: options.fetch, queryClient, children });
  return { wrapper, queryClient };
}
