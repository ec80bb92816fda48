// What the relay bench reads from /proc: CPU ticks and private memory of a set of processes, the
// descendants of a process, and the machine's total CPU, so a window can be measured without
// spawning anything (ps, top) while it runs.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (getconf CLK_TCK is 100 on Linux). */
export const CLOCK_TICKS = 100;

interface Stat {
  ppid: number;
  /**
   * utime + stime + cutime + cstime, in clock ticks: all threads of the process and its children
   * that ended and were waited for (the daemon's short-lived `ss`, `taskset` and `chrt`, which no
   * window would otherwise see). A child that ends mid-window is counted whole, from its start.
   */
  ticks: number;
  utime: number;
  stime: number;
  comm: string;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: the fields start after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const children = Number(f[13]) + Number(f[14]);
  return { ppid: Number(f[1]), ticks: utime + stime + children, utime, stime, comm };
}

/** User and system CPU seconds of a process, or null when it is gone. */
export function userSystem(pid: number): { user: number; system: number } | null {
  const st = readStat(pid);
  return st ? { user: st.utime / CLOCK_TICKS, system: st.stime / CLOCK_TICKS } : null;
}

/** CPU ticks of a process and its reaped children (see Stat.ticks), or null when it is gone. */
export function cpuTicks(pid: number): number | null {
  return readStat(pid)?.ticks ?? null;
}

/** pid and all its descendants that exist now (walks every /proc/<pid>/stat for the ppid). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(Number(entry));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(entry));
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface Memory {
  /** Resident set size, bytes. */
  rss: number;
  /** Private_Clean + Private_Dirty: what this process alone costs (shared libraries excluded). */
  private: number;
}

/** From /proc/<pid>/smaps_rollup; null when the process is gone. */
export function memoryOf(pid: number): Memory | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  } catch {
    return null;
  }
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: kb('Rss'), private: kb('Private_Clean') + kb('Private_Dirty') };
}

/** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
export function machineTicks(): { busy: number; total: number; softirq: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already counted in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, softirq };
}

/**
 * CPU used by a changing set of processes over a window. Ticks are taken per pid at the start and
 * the end: a pid that appears during the window counts from zero, one that exits during the window
 * loses what it used since the start (counted in `vanished` so the report can say so).
 */
export class CpuWindow {
  private readonly start = new Map<number, number>();
  private readonly t0 = performance.now();

  constructor(pids: number[]) {
    for (const pid of pids) {
      const t = cpuTicks(pid);
      if (t !== null) this.start.set(pid, t);
    }
  }

  end(pids: number[]): {
    seconds: number;
    cpuSeconds: number;
    processes: number;
    vanished: number;
    /** CPU seconds per pid alive at the end. */
    perPid: Map<number, number>;
  } {
    const seconds = (performance.now() - this.t0) / 1000;
    let ticks = 0;
    const perPid = new Map<number, number>();
    for (const pid of pids) {
      const t = cpuTicks(pid);
      if (t === null) continue;
      const used = t - (this.start.get(pid) ?? 0);
      perPid.set(pid, used / CLOCK_TICKS);
      ticks += used;
    }
    const vanished = [...this.start.keys()].filter((p) => !perPid.has(p)).length;
    return { seconds, cpuSeconds: ticks / CLOCK_TICKS, processes: perPid.size, vanished, perPid };
  }
}

/** The command line of a process (arguments joined by spaces), or '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function sumMemory(pids: number[]): Memory & { processes: number } {
  let rss = 0;
  let priv = 0;
  let processes = 0;
  for (const pid of pids) {
    const m = memoryOf(pid);
    if (!m) continue;
    rss += m.rss;
    priv += m.private;
    processes++;
  }
  return { rss, private: priv, processes };
}
