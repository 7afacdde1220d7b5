import { createContext, useContext } from "react";

export interface CajaAuth {
  /** The bearer token requests carry now (null: none, e.g. before joining). */
  token: string | null;
  /** Replace the token, e.g. with the one a join returned; null signs out. */
  setToken: (token: string | null) => void;
}

export const CajaAuthContext = createContext<CajaAuth | null>(null);

/** The provider's token and its setter. Throws outside `<CajaProvider>`. */
export function useCajaAuth(): CajaAuth {
  const auth = useContext(CajaAuthContext);
  if (!auth) throw new Error("useCajaAuth must be used inside <CajaProvider>");
  return auth;
}
