import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "react/index": "src/react/index.ts",
    "rest/index": "src/rest/index.ts",
  },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  // One bundled .d.ts per entry. `@caja/api` resolves to the client's view of the router that
  // scripts/app-router-declaration.ts wrote just before (so does `@caja/activities`: the same file
  // prints its types), and is inlined: the published types
  // import only the packages listed in package.json (test/dist.test.ts checks that).
  dts: {
    compilerOptions: {
      paths: {
        "@caja/api": ["./node_modules/.cache/caja-client/app-router.d.ts"],
        "@caja/activities": ["./node_modules/.cache/caja-client/app-router.d.ts"],
      },
    },
  },
  clean: true,
  sourcemap: true,
  splitting: true,
  treeshake: true,
  esbuildOptions(options) {
    // The SDK imports only types from the server packages. Keeping them external means a
    // stray runtime import shows up as an import line (test/dist.test.ts fails on it)
    // instead of the server being bundled in silently.
    options.external = [...(options.external ?? []), "@caja/*"];
  },
});
