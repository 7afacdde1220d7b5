import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time the thread had nothing to do; percentages below are of the busy rest. */
  idleMs: number;
  top: Array<{ name: string; where: string; selfMs: number; selfPercent: number }>;
  byPackage: Array<{ name: string; selfPercent: number }>;
}

/** Where a script lives, short: `packages/api/src/x.ts:12`, `undici`, `node:internal/...`. */
function shortUrl(url: string, line: number): string {
  if (!url) return "";
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pnpm) return `${pnpm[1]}/${pnpm[2]}:${line + 1}`;
  const ours = /\/((?:packages|apps|bench)\/.*)$/.exec(url);
  if (ours) return `${ours[1]}:${line + 1}`;
  return `${url.replace(/^file:\/\//, "")}:${line + 1}`;
}

function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native/vm)";
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm) return pnpm[1] as string;
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (ours) return `@caja/${ours[2]}`;
  if (url.startsWith("node:")) return "node core";
  return "other";
}

/**
 * Self time per function (where the CPU actually was), from the newest main-thread
 * profile in `dir`. Names are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile;
 * thread 0 is the main thread (tsx's module loader runs in a thread of its own).
 */
export function summariseProfile(dir: string, topN = 20): ProfileSummary | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile") && f.split(".")[4] === "0")
    .sort();
  const file = files[files.length - 1];
  if (!file) return null;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + dt);
  });

  const byFunction = new Map<string, { name: string; where: string; selfMs: number }>();
  const byPackage = new Map<string, number>();
  for (const [id, ms] of selfByNode) {
    const frame = (nodes.get(id) as CpuProfileNode).callFrame;
    const name = frame.functionName || "(anonymous)";
    const where = shortUrl(frame.url, frame.lineNumber);
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += ms;
    byFunction.set(key, entry);
    const pkg = packageOf(frame.url, name);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  const idle = byPackage.get("(idle)") ?? 0;
  byPackage.delete("(idle)");
  for (const [key, f] of byFunction) if (f.name === "(idle)") byFunction.delete(key);
  const busy = total - idle;
  const share = (ms: number) => (busy > 0 ? (100 * ms) / busy : 0);
  return {
    file: join(dir, file),
    totalMs: total,
    idleMs: idle,
    top: [...byFunction.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, topN)
      .map((f) => ({ ...f, selfPercent: share(f.selfMs) })),
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, ms]) => ({ name, selfPercent: share(ms) })),
  };
}
