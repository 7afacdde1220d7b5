import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { defaultWebDir } from "../assets";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};
const compressible = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);

// The app loads nothing from elsewhere; React sets styles through the DOM, which CSP allows.
// These replace the policy every answer gets (security-headers.ts), whose nosniff stays.
const pageHeaders = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "referrer-policy": "same-origin",
};

interface Cached {
  mtimeMs: number;
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
}

/**
 * Serves the built web app: files under `root`, and `index.html` for any other path the
 * client-side router owns (`/join/K7Q2XP`). Vite names files under `assets/` by content hash,
 * so they are cached for a year; everything else is revalidated. Returns false for methods
 * and paths it does not serve.
 */
export function createWebHandler(root: string = defaultWebDir) {
  const base = resolve(root);
  const cache = new Map<string, Cached>();

  const load = async (file: string): Promise<Cached | null> => {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const body = await readFile(file);
    const entry: Cached = {
      mtimeMs: info.mtimeMs,
      body,
      gzipped: compressible.has(extname(file)) && body.length > 1024 ? gzipSync(body) : undefined,
      etag: `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    };
    cache.set(file, entry);
    return entry;
  };

  return async function handleWeb(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (decoded.includes("\0")) return false;
    // resolve() collapses `..`; whatever lands outside the root is not ours to serve.
    const file = resolve(base, `.${decoded}`);
    if (file !== base && !file.startsWith(base + sep)) return false;

    const asset = file === base ? null : await load(file);
    if (asset) {
      const immutable = decoded.startsWith("/assets/");
      send(req, res, asset, extname(file), immutable ? "public, max-age=31536000, immutable" : "no-cache");
      return true;
    }
    // A missing file with an extension is a broken link, not a page: no HTML in its place.
    if (extname(decoded) && !decoded.endsWith(".html")) return false;
    const index = await load(join(base, "index.html"));
    if (!index) {
      res
        .writeHead(503, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...pageHeaders })
        .end(notBuiltPage(base));
      return true;
    }
    send(req, res, index, ".html", "no-cache");
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, entry: Cached, ext: string, cacheControl: string) {
  const headers: Record<string, string> = {
    "content-type": contentTypes[ext] ?? "application/octet-stream",
    "cache-control": cacheControl,
    etag: entry.etag,
    vary: "accept-encoding",
    ...(ext === ".html" ? pageHeaders : {}),
  };
  if (req.headers["if-none-match"] === entry.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = entry.gzipped && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? (entry.gzipped as Buffer) : entry.body;
  if (gzip) headers["content-encoding"] = "gzip";
  headers["content-length"] = String(body.length);
  res.writeHead(200, headers).end(req.method === "HEAD" ? undefined : body);
}

function notBuiltPage(dir: string): string {
  const shown = existsSync(dir) ? dir : `${dir} (missing)`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Caja: web app not built</title></head>
<body>
<h1>The Caja API is running; its web app is not built</h1>
<p>Build it with <code>pnpm build</code> (<code>pnpm start</code> does this for you), then reload.
The server looks for it in <code>${escapeHtml(shown)}</code> (<code>CAJA_WEB_DIR</code>).</p>
<p>The API itself works: <a href="/docs">interactive docs</a>, <a href="/openapi.json">OpenAPI document</a>.</p>
</body></html>`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
