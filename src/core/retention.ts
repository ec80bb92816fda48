// What to delete when the spool is over its limits. Pure.
// Segments nobody still needs go first, oldest first; a segment still owed to a destination goes
// only when nothing else is left, and then its seconds are accounted for as lost.

export interface SpoolSegment {
  id: number;
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  /** Still owed to at least one destination (its backfill has not confirmed it). */
  needed: boolean;
}

export interface RetentionLimits {
  maxAgeMs: number;
  maxBytes: number | null;
  minFreeBytes: number;
}

export interface Eviction {
  segment: SpoolSegment;
  lost: boolean;
  reason: 'age' | 'size' | 'free-space';
}

export function planEvictions(
  segments: SpoolSegment[],
  limits: RetentionLimits,
  now: number,
  freeBytes: number,
): Eviction[] {
  const out: Eviction[] = [];
  const evicted = new Set<number>();
  // Age applies to every segment: older than maxAge is past any use. A wall clock stepped forward
  // (a bad NTP server, a year) must not age anything: a segment is only as old as the recording
  // made after it, whatever the clock says (issue 15 item 5).
  const recordedAfter = recordedAfterFn(segments);
  for (const s of segments) {
    if (Math.min(now - s.endMs, recordedAfter(s.endMs)) > limits.maxAgeMs) {
      out.push({ segment: s, lost: s.needed, reason: 'age' });
      evicted.add(s.id);
    }
  }
  let total = segments.reduce((n, s) => n + (evicted.has(s.id) ? 0 : s.bytes), 0);
  let free = freeBytes + out.reduce((n, e) => n + e.segment.bytes, 0);
  const order = segments
    .filter((s) => !evicted.has(s.id))
    .sort((a, b) => Number(a.needed) - Number(b.needed) || a.startMs - b.startMs);
  for (const s of order) {
    const overSize = limits.maxBytes !== null && total > limits.maxBytes;
    const lowFree = free < limits.minFreeBytes;
    if (!overSize && !lowFree) break;
    out.push({ segment: s, lost: s.needed, reason: overSize ? 'size' : 'free-space' });
    total -= s.bytes;
    free += s.bytes;
  }
  return out;
}

/** Longer than any segment (recording.segmentSeconds is at most 60). */
const MAX_SEGMENT_MS = 120_000;

/**
 * For a moment `t`, the milliseconds of recording (any camera, overlaps once) after it: the
 * segments' own spans, which a clock step does not stretch; a span dated across a step counts no
 * longer than a segment can be.
 */
export function recordedAfterFn(segments: { startMs: number; endMs: number }[]): (t: number) => number {
  const spans = segments
    .map((s) => ({ startMs: Math.max(s.startMs, s.endMs - MAX_SEGMENT_MS), endMs: s.endMs }))
    .sort((a, b) => a.startMs - b.startMs);
  const merged: { startMs: number; endMs: number }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else merged.push({ ...s });
  }
  // after[i]: the recording in merged[i..] whole.
  const after = new Array<number>(merged.length + 1).fill(0);
  for (let i = merged.length - 1; i >= 0; i--)
    after[i] = after[i + 1]! + merged[i]!.endMs - merged[i]!.startMs;
  return (t) => {
    // The first merged span ending after t (their ends increase).
    let lo = 0;
    let hi = merged.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid]!.endMs <= t) lo = mid + 1;
      else hi = mid;
    }
    const first = merged[lo];
    if (!first) return 0;
    return after[lo + 1]! + first.endMs - Math.max(first.startMs, t);
  };
}
