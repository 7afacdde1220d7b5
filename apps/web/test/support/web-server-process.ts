// The web test's server in its own process (see startWebServerProcess). Prints one JSON line
// `{ url, adminToken, signInLinks }` once listening; stops when its stdin closes.
import { startWebServer } from "./web-server";

const server = await startWebServer(JSON.parse(process.argv[2] ?? "{}") as Record<string, string>);
process.stdout.write(
  `${JSON.stringify({ url: server.url, adminToken: server.adminToken(), signInLinks: server.signInLinks })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => void server.stop().finally(() => process.exit(0)));
