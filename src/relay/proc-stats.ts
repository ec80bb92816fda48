// CPU use of a child process since it started, from /proc: cheap enough to read per status request.
// Its start is in clock ticks since boot, like the monotonic clock: no wall time, which can step.
import { monoNow } from '../core/clock.ts';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Average CPU percent of one core since the process started, or null when it cannot be read. */
export function cpuPercent(pid: number | null, now = monoNow()): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const startedAt = (Number(fields[19]) / CLOCK_TICKS) * 1000;
    const elapsed = (now - startedAt) / 1000;
    return elapsed > 0 ? Math.round((ticks / CLOCK_TICKS / elapsed) * 1000) / 10 : null;
  } catch {
    return null;
  }
}
