import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Sql } from "postgres";

/** Jiffies per second for /proc/<pid>/stat; 100 on every common Linux. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The process and its descendants (a CAJA_WORKERS supervisor and its workers), from /proc's children lists. */
function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // gone, or no children list on this kernel: the process alone
    }
  }
  return pids;
}

function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (tryCpu(p) ?? 0), 0);
}

function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    try {
      return sum + rssMb(p);
    } catch {
      return sum;
    }
  }, 0);
}

/** RSS of a process and its descendants (workers) now, in MB; 0 once it has exited. */
export function rssMbOf(pid: number): number {
  try {
    rssMb(pid); // throws once the process has exited
    return treeRssMb(pid);
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Busy and total jiffies of the whole machine (all cores). */
function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface ProcessUsage {
  /** Percent of one core over the window (200% = both cores of this machine). */
  cpuPercent: number;
  cpuSeconds: number;
  rssMaxMb: number;
  rssEndMb: number;
}

/** CPU and RSS of one process (with its descendants: workers) over a window, RSS sampled every second for its peak. */
export class ProcessMeter {
  private startCpu = 0;
  private startAt = 0;
  private rssMax = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number) {}

  start(): void {
    this.startCpu = this.cpu();
    this.startAt = performance.now();
    this.rssMax = this.rss();
    this.timer = setInterval(() => (this.rssMax = Math.max(this.rssMax, this.rss())), 1000);
    this.timer.unref();
  }

  stop(): ProcessUsage {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startAt) / 1000;
    const used = this.cpu() - this.startCpu;
    const end = this.rss();
    return {
      cpuPercent: seconds > 0 ? (100 * used) / seconds : 0,
      cpuSeconds: used,
      rssMaxMb: Math.max(this.rssMax, end),
      rssEndMb: end,
    };
  }

  private cpu(): number {
    if (this.pid === process.pid) {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    }
    return tryCpu(this.pid) === null ? 0 : treeCpuSeconds(this.pid);
  }

  private rss(): number {
    return rssMbOf(this.pid);
  }
}

/** CPU of a set of processes (PostgreSQL's backends), summed; one that exits keeps its last reading. */
export class GroupMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private startAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: number[]) {}

  begin(): void {
    this.startAt = performance.now();
    for (const pid of this.pids) {
      const cpu = tryCpu(pid);
      if (cpu !== null) this.start.set(pid, cpu);
    }
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** Percent of one core, like ProcessMeter. */
  end(): number {
    clearInterval(this.timer);
    let used = 0;
    for (const [pid, from] of this.start) used += (tryCpu(pid) ?? this.last.get(pid) ?? from) - from;
    const seconds = (performance.now() - this.startAt) / 1000;
    return seconds > 0 ? (100 * used) / seconds : 0;
  }

  /** Every second, so that a process that exits is counted up to its last reading. */
  private sample(): void {
    for (const pid of this.start.keys()) {
      const cpu = tryCpu(pid);
      if (cpu !== null) this.last.set(pid, cpu);
    }
  }
}

function tryCpu(pid: number): number | null {
  try {
    return cpuSeconds(pid);
  } catch {
    return null;
  }
}

/** Whole-machine CPU use over a window, in percent of all cores. */
export class MachineMeter {
  private start = machineJiffies();

  restart(): void {
    this.start = machineJiffies();
  }

  stop(): number {
    const end = machineJiffies();
    const total = end.total - this.start.total;
    return total > 0 ? (100 * (end.busy - this.start.busy)) / total : 0;
  }
}

/**
 * Transactions committed in one database, from pg_stat_database. With no
 * explicit transaction every statement commits on its own, so this counts the
 * server's queries (pg_stat_statements needs shared_preload_libraries, which
 * this bench does not assume). Backends publish their counters about once a
 * second while busy, so the window is read while load is still running.
 */
/** The bench database's backends and PostgreSQL's own background processes (WAL writer, checkpointer, ...). */
export async function postgresPids(admin: Sql, database: string): Promise<number[]> {
  const rows = await admin<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = ${database} or backend_type <> 'client backend'`;
  return rows.map((r) => r.pid);
}

export async function xactCommits(admin: Sql, database: string): Promise<number> {
  const [row] = await admin<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = ${database}`;
  return Number(row?.n ?? 0);
}
