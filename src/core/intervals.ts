// Time intervals for the outage ledger and backlog. Pure; times in epoch milliseconds.
export interface Interval {
  startMs: number;
  /** null while still open. */
  endMs: number | null;
}

export function overlaps(a: Interval, b: { startMs: number; endMs: number }, now = Date.now()): boolean {
  return a.startMs < b.endMs && (a.endMs ?? now) > b.startMs;
}

/** Total seconds covered by intervals (overlaps counted once). */
export function coveredSeconds(intervals: { startMs: number; endMs: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const i of sorted) {
    if (i.startMs > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = i.startMs;
      curEnd = i.endMs;
    } else curEnd = Math.max(curEnd, i.endMs);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return Math.round(total / 100) / 10;
}
