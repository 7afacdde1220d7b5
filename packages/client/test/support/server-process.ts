// Runs a live server in its own process for DOM-environment tests: under happy-dom the test
// process's globals (URL, fetch, Request) are the DOM's, which a node:http server must not use.
// Prints one JSON line `{ url, databaseUrl, adminTokens }` (admin tokens by subject); stops when its stdin closes.
import { ADMIN_SUBJECTS, startLiveServer } from "./live-server";

const env = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
const server = await startLiveServer(env);
const adminTokens = Object.fromEntries(ADMIN_SUBJECTS.map((sub) => [sub, server.adminToken(sub)]));
process.stdout.write(`${JSON.stringify({ url: server.url, databaseUrl: server.databaseUrl, adminTokens })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.stop().finally(() => process.exit(0));
});
