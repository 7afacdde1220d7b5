/**
 * The Caja server as a process of its own, so that its CPU time and memory can
 * be read from /proc apart from the load generator's. Configured only through
 * the environment, exactly as `pnpm start` is.
 */
import { createCajaServer, loadConfig } from "@caja/server";
import type { ParentMessage } from "./ipc";
import { sendToParent, stopWith } from "./ipc";

const app = await createCajaServer(loadConfig(process.env), { log: () => {} });
const url = await app.listen();
stopWith(() => app.close());
process.on("message", (message: ParentMessage) => {
  if (message.type === "stats") sendToParent({ type: "stats", id: message.id, stats: { ...app.deps.cache.stats } });
});
sendToParent({ type: "ready", url });
