// CPU use of a child process since it started, from /proc: cheap enough to read per status request.
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux
let bootTime: number | null = null;

function boot(): number {
  if (bootTime === null) {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    bootTime = Number(line?.split(' ')[1] ?? 0);
  }
  return bootTime;
}

/** Average CPU percent of one core since the process started, or null when it cannot be read. */
export function cpuPercent(pid: number | null, now = Date.now()): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const startedAt = (boot() + Number(fields[19]) / CLOCK_TICKS) * 1000;
    const elapsed = (now - startedAt) / 1000;
    return elapsed > 0 ? Math.round((ticks / CLOCK_TICKS / elapsed) * 1000) / 10 : null;
  } catch {
    return null;
  }
}
