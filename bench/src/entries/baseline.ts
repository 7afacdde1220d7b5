/**
 * The baseline: the least a node:http server can do per request, answering a
 * JSON body the size of a session status. Same runtime and loader as the Caja
 * server, so the ratio route/baseline is what Caja's own code costs.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sendToParent, stopWith } from "./ipc";

const status = {
  session_id: 1,
  status: "active",
  current_activity_id: "6f1c2a52-6a0e-4c35-9d55-1d1f1b7f3c2e",
  participant_count: 2000,
  active_participant_count: 2000,
  last_updated: "2025-10-07T19:00:00.000Z",
  poll_interval_ms: 2000,
};

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(status));
});
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
stopWith(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
sendToParent({ type: "ready", url: `http://127.0.0.1:${port}` });
