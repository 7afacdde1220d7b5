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
  // Declarations come from tsc (tsconfig.build.json): one .d.ts per source file, fast.
  dts: false,
  clean: true,
  sourcemap: true,
  splitting: true,
  treeshake: true,
  // The SDK imports only types from the server packages. Keeping them external means a
  // stray runtime import shows up as an import line (test/dist.test.ts fails on it)
  // instead of the server being bundled in silently.
  external: [/^@caja\//],
});
