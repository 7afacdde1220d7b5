import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";

/**
 * /docs in a real browser under the Content-Security-Policy it is served with: Swagger UI
 * renders the document and "Try it out" reaches the API, and the browser reports no
 * violation of the policy (a blocked script, style, image or request would be one).
 */
const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("/docs in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      }),
    ]);
    page = await browser.newPage();
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    // A string, not a function: this package is compiled without the DOM's types.
    await page.addInitScript(`document.addEventListener("securitypolicyviolation", (event) =>
      console.error("CSP violation: " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline")))`);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("renders the API's operations with no CSP violation", async () => {
    const res = await page.goto(`${server.url}/docs`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect.poll(() => page.locator(".swagger-ui .info .title").textContent(), { timeout: 20_000 }).toContain("Caja");
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 20_000 }).toBeGreaterThan(10);
    expect(errors).toEqual([]);
  });

  it('"Try it out" sends a request and shows its answer', async () => {
    const operation = page.locator(".opblock-get", { has: page.locator('[data-path="/api/v1/activity-types"]') });
    await operation.locator(".opblock-summary").first().click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.getByRole("button", { name: "Execute" }).click();
    await expect
      .poll(() => operation.locator(".live-responses-table tr.response .response-col_status").first().textContent(), {
        timeout: 20_000,
      })
      .toContain("200");
    expect(errors).toEqual([]);
  });
});
