// Time intervals for the outage ledger, the backlog and the accounting of every second. Pure;
// times in epoch milliseconds, half-open [startMs, endMs).
export interface Interval {
  startMs: number;
  /** null while still open. */
  endMs: number | null;
}

export interface Span {
  startMs: number;
  endMs: number;
}

export function overlaps(a: Interval, b: Span, now = Date.now()): boolean {
  return a.startMs < b.endMs && (a.endMs ?? now) > b.startMs;
}

/** Sorted, disjoint spans covering what the given ones cover (empty ones dropped). */
export function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ startMs: s.startMs, endMs: s.endMs });
  }
  return out;
}

/** What `a` covers that `b` does not. */
export function subtract(a: readonly Span[], b: readonly Span[]): Span[] {
  const cut = union(b);
  const out: Span[] = [];
  for (const s of union(a)) {
    let from = s.startMs;
    for (const c of cut) {
      if (c.endMs <= from || c.startMs >= s.endMs) continue;
      if (c.startMs > from) out.push({ startMs: from, endMs: c.startMs });
      from = Math.max(from, c.endMs);
    }
    if (from < s.endMs) out.push({ startMs: from, endMs: s.endMs });
  }
  return out;
}

/** What both cover. */
export function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  return subtract(a, subtract(a, b));
}

/** Spans clipped to a window, open ones (endMs null) reaching to its end. */
export function clip(intervals: readonly Interval[], window: Span): Span[] {
  return intervals
    .map((i) => ({
      startMs: Math.max(i.startMs, window.startMs),
      endMs: Math.min(i.endMs ?? window.endMs, window.endMs),
    }))
    .filter((s) => s.endMs > s.startMs);
}

/** Total milliseconds covered (overlaps counted once). */
export function coveredMs(spans: readonly Span[]): number {
  return union(spans).reduce((t, s) => t + s.endMs - s.startMs, 0);
}

/** Total seconds covered (overlaps counted once), to a tenth. */
export function coveredSeconds(spans: readonly Span[]): number {
  return Math.round(coveredMs(spans) / 100) / 10;
}
