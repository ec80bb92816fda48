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
  // Age applies to every segment: older than maxAge is past any use.
  for (const s of segments) {
    if (now - s.endMs > limits.maxAgeMs) {
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
