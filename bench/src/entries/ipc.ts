/** Messages between the bench (parent) and the processes it measures. */
export type ChildMessage =
  { type: "ready"; url: string; extra?: Record<string, string> } | { type: "stats"; id: number; stats: Record<string, number> };

export type ParentMessage = { type: "stats"; id: number };

export function sendToParent(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * A measured process must not outlive the bench: when the parent goes away
 * (crash, Ctrl-C) the IPC channel closes and the child stops too.
 */
export function stopWith(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("disconnect", stop);
}
