type MaybePromise<T> = T | Promise<T>;

/** Where the bearer token comes from: a fixed `token`, or `getToken` asked before every request. */
export type TokenSource =
  { token?: string | null; getToken?: never } | { getToken: () => MaybePromise<string | null | undefined>; token?: never };

export async function authorizationHeader(source: TokenSource): Promise<Record<string, string>> {
  const token = source.getToken ? await source.getToken() : source.token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `http://host:3000/` + `trpc` -> `http://host:3000/trpc`; a URL already ending in the suffix is kept. */
export function endpointUrl(baseUrl: string, suffix: "trpc" | "api"): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  return trimmed.endsWith(`/${suffix}`) ? trimmed : `${trimmed}/${suffix}`;
}
