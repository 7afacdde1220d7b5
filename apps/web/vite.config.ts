import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `pnpm dev` proxies the API to a running server (`pnpm start`, or CAJA_API_URL), so the
// page and the API share one origin as they do when the server serves the built app.
const api = process.env.CAJA_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.PORT ?? 5173),
    proxy: {
      "/api": api,
      "/trpc": api,
      // A one-time sign-in link's code, exchanged for an admin token (apps/server/src/http/sign-in-link.ts).
      "/sign-in": api,
    },
  },
  build: { sourcemap: true },
});
