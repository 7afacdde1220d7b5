import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distDir, ensureBuilt, packageDir } from "./support/build";
import { joinAs, startActivity } from "./support/fixtures";
import { startLiveServer, type LiveServer } from "./support/live-server";

const CHROMIUM = "/usr/bin/chromium";
const appDir = join(packageDir, "test/fixtures/vite-app");

/** The fixture app bundled as a Vite build would, against the built SDK. */
async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [join(appDir, "src/main.tsx")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
    plugins: [
      {
        name: "built-sdk",
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@caja\/client\/react$/ }, () => ({ path: join(distDir, "react/index.js") }));
        },
      },
    ],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no bundle");
  return output.text;
}

/** Serves the page and its bundle from another origin than the API, as a real app would be. */
async function servePage(bundle: string): Promise<{ url: string; server: Server }> {
  const html = readFileSync(join(appDir, "index.html"), "utf8");
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/app.js")) res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("in Chromium", () => {
  let api: LiveServer;
  let page: { url: string; server: Server };
  let browser: Browser;
  beforeAll(async () => {
    // Fails, never skips, without Chromium (a skipped suite reads as a green run): CI installs it (.ci/run).
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium): the browser tests need it`);
    }
    ensureBuilt();
    [api, page, browser] = await Promise.all([
      startLiveServer(),
      bundleApp().then(servePage),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    page?.server.close();
    await api?.stop();
  });

  it("the three-line app shows the participant count change after a join", async () => {
    const live = await startActivity(api);
    const tab = await browser.newPage();
    const query = new URLSearchParams({ api: api.url, token: api.adminToken(), session: String(live.sessionId) });
    await tab.goto(`${page.url}/?${query}`);
    const shown = () => tab.locator("#live").textContent();
    await expect.poll(shown, { timeout: 10_000 }).toBe("0 joined");

    await joinAs(api, live.joinCode, "Ada");
    await expect.poll(shown, { timeout: 5_000 }).toBe("1 joined");
    await tab.close();
  });
});
