// The subpath, not the index: the index loads @caja/db, which cannot load under happy-dom.
import { startReadyProcess } from "@caja/testing/ready-process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AdminSubject, LiveServer } from "./live-server";

// Paths from strings: under happy-dom the global URL is the DOM's, which fileURLToPath rejects.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "../..");
const script = join(here, "server-process.ts");

/** `startLiveServer`, in a child process (see server-process.ts for why). */
export async function startServerProcess(env: Record<string, string> = {}): Promise<LiveServer> {
  const child = await startReadyProcess<{ url: string; databaseUrl: string; adminTokens: Record<AdminSubject, string> }>(
    script,
    packageDir,
    [JSON.stringify(env)],
  );
  return {
    url: child.ready.url,
    databaseUrl: child.ready.databaseUrl,
    adminToken: (sub = "presenter") => child.ready.adminTokens[sub],
    stop: child.stop,
  };
}
