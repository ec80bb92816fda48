// What a process tree holds, read from /proc: its descendants (with their start times, so a
// reused pid is not mistaken for one of ours) and which processes hold listening TCP ports.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Proc {
  pid: number;
  start: string;
  cmd: string;
}

function stat(pid: number): { ppid: number; start: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), start: f[19] ?? '' };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Every living descendant of root (children, grandchildren, ...). */
export function descendants(root: number): Proc[] {
  const parent = new Map<number, { ppid: number; start: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) parent.set(Number(name), s);
  }
  const out: Proc[] = [];
  const isUnder = (pid: number): boolean => {
    for (let p = parent.get(pid)?.ppid; p && p > 1; p = parent.get(p)?.ppid) if (p === root) return true;
    return false;
  };
  for (const [pid, s] of parent) if (isUnder(pid)) out.push({ pid, start: s.start, cmd: cmdline(pid) });
  return out;
}

/** The process is still the same one (same pid and start time) and not a zombie. */
export function stillAlive(p: Proc): boolean {
  const s = stat(p.pid);
  if (!s || s.start !== p.start) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Ports in LISTEN state on any IPv4 or IPv6 address of this network namespace. */
/** Listening TCP ports of this host, each with the inodes of its listening sockets. */
function listeningSockets(): Map<number, string[]> {
  const ports = new Map<number, string[]>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue;
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      ports.set(port, [...(ports.get(port) ?? []), f[9]!]);
    }
  }
  return ports;
}

/** Pids holding one of these socket inodes open. */
function holders(inodes: Set<string>): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) {
          out.push(Number(name));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return out;
}

/**
 * Which of `ports` are still listening in a process that is not one of the test run's own
 * (`root` and its descendants): a leftover of the demo, such as a server that daemonized away
 * from its tree. A port the demo freed may be bound again by another test running beside it
 * (ports of the ephemeral range are handed out again), which is not a leftover.
 */
export function portsHeldOutside(ports: number[], root: number): number[] {
  const listening = listeningSockets();
  const ours = new Set(descendants(root).map((p) => p.pid));
  ours.add(root);
  return ports.filter((port) => {
    const inodes = listening.get(port);
    if (!inodes) return false;
    const pids = holders(new Set(inodes));
    // A socket no process holds any more is on its way out; one held only by the run's own
    // processes belongs to another test.
    return pids.some((pid) => !ours.has(pid));
  });
}

/** Collects the descendants of root every intervalMs until stopped. */
export function watchTree(root: number, intervalMs = 250): { seen: Map<string, Proc>; stop: () => void } {
  const seen = new Map<string, Proc>();
  const look = () => descendants(root).forEach((p) => seen.set(`${p.pid}/${p.start}`, p));
  look();
  const timer = setInterval(look, intervalMs);
  return { seen, stop: () => clearInterval(timer) };
}
