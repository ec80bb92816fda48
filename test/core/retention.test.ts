import { describe, expect, it } from 'vitest';
import { planEvictions, type SpoolSegment } from '../../src/core/retention.ts';

const MIN = 60_000;
const seg = (id: number, ageMin: number, needed = false, bytes = 100): SpoolSegment => ({
  id,
  cameraId: 'c',
  startMs: -ageMin * MIN - 4000,
  endMs: -ageMin * MIN,
  bytes,
  needed,
});
const limits = { maxAgeMs: 60 * MIN, maxBytes: null as number | null, minFreeBytes: 0 };

describe('planEvictions', () => {
  it('deletes everything past the maximum age, and counts owed segments among them as lost', () => {
    const out = planEvictions([seg(1, 90, true), seg(2, 70), seg(3, 10)], limits, 0, 1e9);
    expect(out.map((e) => [e.segment.id, e.reason, e.lost])).toEqual([
      [1, 'age', true],
      [2, 'age', false],
    ]);
  });

  it('over the size cap, deletes unneeded segments oldest first before any owed one', () => {
    const segs = [seg(1, 50, true), seg(2, 40), seg(3, 30, true), seg(4, 20)];
    const out = planEvictions(segs, { ...limits, maxBytes: 250 }, 0, 1e9);
    expect(out.map((e) => e.segment.id)).toEqual([2, 4]);
    expect(out.every((e) => !e.lost)).toBe(true);
  });

  it('deletes owed segments, oldest first and as lost, only when nothing else is left', () => {
    const segs = [seg(1, 50, true), seg(2, 40), seg(3, 30, true)];
    const out = planEvictions(segs, { ...limits, maxBytes: 100 }, 0, 1e9);
    expect(out.map((e) => [e.segment.id, e.lost])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  it('frees space until the minimum free space is kept', () => {
    const out = planEvictions([seg(1, 5), seg(2, 4), seg(3, 3)], { ...limits, minFreeBytes: 1150 }, 0, 1000);
    expect(out.map((e) => [e.segment.id, e.reason])).toEqual([
      [1, 'free-space'],
      [2, 'free-space'],
    ]);
  });

  it('deletes nothing within limits', () => {
    expect(
      planEvictions([seg(1, 5, true), seg(2, 4)], { ...limits, maxBytes: 1000, minFreeBytes: 10 }, 0, 1e6),
    ).toEqual([]);
  });
});
