import { describe, expect, it } from 'vitest';
import { planEvictions, recordedAfterFn, type SpoolSegment } from '../../src/core/retention.ts';

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
    // Another camera recorded all along since, in 1-minute segments: the age is backed by recording made after.
    const since = Array.from({ length: 89 }, (_, i) => ({
      ...seg(100 + i, i),
      cameraId: 'd',
      startMs: -(i + 1) * MIN,
    }));
    const out = planEvictions([seg(1, 90, true), seg(2, 70), seg(3, 10), ...since], limits, 0, 1e9);
    expect(
      out.filter((e) => e.segment.cameraId === 'c').map((e) => [e.segment.id, e.reason, e.lost]),
    ).toEqual([
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

  it('ages nothing by a wall clock stepped forward a year: a segment is only as old as the recording after it', () => {
    const YEAR = 365 * 24 * 60 * MIN;
    // Two hours recorded in 4 s segments, the last ending at 0; then the clock says a year later.
    const segs = Array.from({ length: 1800 }, (_, i) => ({
      id: i + 1,
      cameraId: 'c',
      startMs: -7_200_000 + i * 4000,
      endMs: -7_200_000 + (i + 1) * 4000,
      bytes: 100,
      needed: false,
    }));
    const out = planEvictions(segs, limits, YEAR, 1e9);
    // Only what ended more than an hour before the last segment ended goes: the first hour but one.
    expect(out.length).toBe(899);
    expect(Math.max(...out.map((e) => e.segment.endMs))).toBe(-3_604_000);
    expect(planEvictions(segs.slice(-900), limits, YEAR, 1e9)).toEqual([]);
  });
});

describe('recordedAfterFn', () => {
  it('counts recording after a moment once across cameras, and not the holes', () => {
    const after = recordedAfterFn([
      { startMs: 0, endMs: 10 },
      { startMs: 5, endMs: 15 },
      { startMs: 100, endMs: 110 },
    ]);
    expect(after(-5)).toBe(25);
    expect(after(12)).toBe(13);
    expect(after(50)).toBe(10);
    expect(after(105)).toBe(5);
    expect(after(110)).toBe(0);
  });

  it('counts a segment dated across a step (its start and end a day apart) no longer than a segment can be', () => {
    const after = recordedAfterFn([{ startMs: 0, endMs: 86_400_000 }]);
    expect(after(0)).toBe(120_000);
  });
});
