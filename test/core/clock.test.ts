import { describe, expect, it } from 'vitest';
import { StepWatch, redate, stepBetween, wallOf } from '../../src/core/clock.ts';

const DAY = 86_400_000;

function clock() {
  const t = { wall: 1_796_551_200_000, mono: 1_000_000 };
  return { t, source: { wallMs: () => t.wall, monoMs: () => t.mono } };
}

describe('the two clocks', () => {
  it('finds a step of the wall clock between two samples, whatever the time between them', () => {
    const { t, source } = clock();
    const watch = new StepWatch(source);
    expect(watch.sample()).toBeNull();
    t.wall += 1000;
    t.mono += 1000;
    expect(watch.sample()).toBeNull();
    t.wall += 1000 - DAY;
    t.mono += 1000;
    expect(watch.sample()).toEqual({ deltaMs: -DAY, wallMs: t.wall, monoMs: t.mono });
    // A busy event loop: ten seconds between samples is no step.
    t.wall += 10_000;
    t.mono += 10_000;
    expect(watch.sample()).toBeNull();
  });

  it("takes NTP's slewing and sampling jitter for no step, a second beyond them for one", () => {
    expect(stepBetween(0, 400, 1000)).toBeNull();
    expect(stepBetween(0, -999, 1000)).toBeNull();
    expect(stepBetween(0, 1200, 1000)).toBe(1200);
    // A day apart (a restart), slewing may have moved the clocks 43 s apart at most.
    expect(stepBetween(0, 40_000, DAY)).toBeNull();
    expect(stepBetween(0, 7 * DAY, DAY)).toBe(7 * DAY);
  });

  it('gives a monotonic stamp its wall time in the present timebase, a step undone', () => {
    const { t, source } = clock();
    const stamp = t.mono;
    const wallThen = t.wall;
    t.mono += 5000;
    t.wall += 5000 + 365 * DAY;
    expect(wallOf(stamp, source)).toBe(wallThen + 365 * DAY);
  });

  it('dates a file time by whichever reading, before or after the step, is nearer now', () => {
    const now = 1_796_551_200_000;
    const step = { deltaMs: -DAY, wallMs: now, monoMs: 0 };
    // Closed a second before the step: stamped in the old timebase.
    expect(redate(now + DAY - 1000, step, now)).toBe(now - 1000);
    // Closed after it: already in the new one.
    expect(redate(now - 500, step, now)).toBe(now - 500);
    expect(redate(now - 500, null, now)).toBe(now - 500);
  });
});
