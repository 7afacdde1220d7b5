import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  // Declarations come from tsc (tsconfig.build.json).
  dts: false,
  clean: true,
  sourcemap: true,
  treeshake: true,
  external: ["zod"],
});
