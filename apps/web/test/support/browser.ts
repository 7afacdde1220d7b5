import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * The browser tests fail, never skip, where Chromium is missing: a skipped suite reads as a green run.
 * CI installs it (.ci/run); elsewhere `apt-get install chromium`. Called before anything is started.
 */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium): the browser tests need it`);
  }
}

/**
 * Debian's Chromium, headless. `launch` gives every run a new, empty profile directory of its
 * own (Playwright refuses a `--user-data-dir` flag here for that reason); each `newContext` is
 * then a separate person with separate storage.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core run inside the page (its source evaluated there, so the page's CSP does not stand in
 * the way); the serious and critical violations of WCAG 2.x A/AA and best practices.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations as { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
}

/** Uncaught errors and console errors (a CSP violation is one), to assert a clean run. */
export function collectPageErrors(page: Page, into: string[], who: string): void {
  page.on("pageerror", (error) => into.push(`${who}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") into.push(`${who}: ${message.text()}`);
  });
}
