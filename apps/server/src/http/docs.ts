import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { CajaError } from "@caja/api";
import { sendError } from "@caja/openapi";

const assetTypes: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Caja API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css" />
  <link rel="icon" href="/docs/favicon-32x32.png" />
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// A separate file rather than an inline script, so the policy below needs no 'unsafe-inline'.
// BaseLayout: the standalone layout's top bar (a box to load any other document by URL) has
// its logo's <style> inline. No validator badge: it would be an image from validator.swagger.io.
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", persistAuthorization: true, validatorUrl: null });`;

/**
 * The docs share the app's origin, so a script injected here could use its tokens: only this
 * server's files run, Swagger UI's requests ("Try it out") go to this origin only, and no
 * site may frame the page. The styles Swagger UI sets from script (through the CSSOM) are not
 * subject to style-src; an inline <style> or style attribute would be, and there is none.
 */
const pageHeaders = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "referrer-policy": "no-referrer",
};

/** Interactive docs from the locally installed swagger-ui-dist: no CDN. */
export function createDocsHandler() {
  // Resolved, not imported: importing swagger-ui-dist would load its whole browser bundle into the server.
  const root = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Buffer>();
  return async function handleDocs(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const name = pathname.replace(/^\/docs\/?/, "");
    if (name === "" || name === "index.html") {
      res.writeHead(200, pageHeaders).end(page);
      return;
    }
    if (name === "init.js") {
      res.writeHead(200, { "content-type": "application/javascript; charset=utf-8" }).end(init);
      return;
    }
    // Own keys only: `/docs/constructor` must not find Object.prototype's.
    const type = Object.hasOwn(assetTypes, name) ? assetTypes[name] : undefined;
    if (!type) {
      sendError(res, new CajaError("NOT_FOUND", `No such file: /docs/${name}`));
      return;
    }
    let body = cache.get(name);
    if (!body) {
      body = await readFile(join(root, name));
      cache.set(name, body);
    }
    res.writeHead(200, { "content-type": type, "cache-control": "public, max-age=86400" }).end(body);
  };
}
