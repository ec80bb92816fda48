// The live-first pace (issue 15 item 6): backfill yields when a live destination is acknowledged
// below its camera's rate and grows back when live is whole. Samples and time are injected.
import { describe, expect, it } from 'vitest';
import { BackfillPace, FLOOR_KBPS, HOLD_MS, START_KBPS } from '../../src/buffer/backfill-pace.ts';
import { BackfillPacing } from '../../src/buffer/backfill-pacing.ts';
import { Throttle } from '../../src/buffer/rate-throttle.ts';
import type { LiveRates } from '../../src/core/status.ts';
import { createLogger } from '../../src/log/logger.ts';

const fine = [{ ackedKbps: 1000, cameraKbps: 1000 }];
const short = [{ ackedKbps: 600, cameraKbps: 1000 }];

/** Feeds `n` samples one second apart from `t`, backfill using all it is given; returns the last time. */
function run(p: BackfillPace, t: number, n: number, live: typeof fine): number {
  for (let i = 0; i < n; i++) {
    t += 1000;
    p.update(t, live, p.state().kbps);
  }
  return t;
}

describe('backfill pace', () => {
  it('backs off at the first sample where a live destination falls short', () => {
    const p = new BackfillPace(null);
    let t = run(p, 0, 5, fine);
    const before = p.state().kbps;
    expect(before).toBeGreaterThan(START_KBPS);
    t += 1000;
    expect(p.update(t, short, before)).toBe(before / 2);
    expect(p.state()).toMatchObject({ reason: 'live short', backoffs: 1 });
  });

  it('keeps halving while live stays short, once per hold, down to the floor and no lower', () => {
    const p = new BackfillPace(null, 8000);
    let t = 0;
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) {
      t += 1000;
      seen.push(p.update(t, short, p.state().kbps));
    }
    expect(seen[0]).toBe(4000);
    // The samples within HOLD_MS of a cut still show the old rate: no second cut on them.
    expect(seen.slice(1, HOLD_MS / 1000)).toEqual(Array(HOLD_MS / 1000 - 1).fill(4000));
    expect(seen[HOLD_MS / 1000]).toBe(2000);
    expect(Math.min(...seen)).toBe(FLOOR_KBPS);
    expect(p.state().kbps).toBe(FLOOR_KBPS);
  });

  it('cuts from what backfill really sent when it used less than its allowance', () => {
    const p = new BackfillPace(null, 8000);
    expect(p.update(1000, short, 1000)).toBe(500);
  });

  it('does not yield to a destination that acknowledged nothing: a stalled link, not a squeezed one', () => {
    const p = new BackfillPace(null, 8000);
    const dead = [...fine, { ackedKbps: 0, cameraKbps: 1000 }];
    expect(p.update(1000, dead, 8000)).toBeGreaterThanOrEqual(8000);
    expect(p.state().backoffs).toBe(0);
  });

  it('does not cut while backfill sent next to nothing: it was not what squeezed live', () => {
    const p = new BackfillPace(null, 8000);
    expect(p.update(1000, short, 0)).toBe(8000);
    expect(p.state()).toMatchObject({ reason: 'live short', backoffs: 0 });
    // Once it sends, a shortfall cuts as before.
    expect(p.update(2000, short, 8000)).toBe(4000);
  });

  it('cannot starve backfill: live whole again, it grows back past where it was cut', () => {
    const p = new BackfillPace(null, 8000);
    const t = run(p, 0, 40, short);
    expect(p.state().kbps).toBe(FLOOR_KBPS);
    run(p, t, 3, fine);
    expect(p.state().reason).toBe('growing');
    expect(p.state().kbps).toBeGreaterThan(FLOOR_KBPS * 4);
    // Within 20 s of live whole it is back where the cuts began (additive: a twentieth a second).
    const p2 = new BackfillPace(null, 8000);
    run(p2, run(p2, 0, 40, short), 20, fine);
    expect(p2.state().kbps).toBeGreaterThanOrEqual(8000);
  });

  it('grows only while backfill uses its allowance (an idle allowance would burst later)', () => {
    const p = new BackfillPace(null, 2000);
    p.update(1000, fine, 100);
    p.update(2000, fine, 100);
    expect(p.state()).toMatchObject({ kbps: 2000, reason: 'idle' });
  });

  it('does not grow while a live destination still sends what queued while it was short', () => {
    const p = new BackfillPace(null, 2000);
    p.update(1000, short, 2000);
    p.update(5000, [{ ackedKbps: 1300, cameraKbps: 1000 }], 1000);
    expect(p.state()).toMatchObject({ kbps: 1000, reason: 'live catching up' });
  });

  it('keeps a configured cap as its ceiling', () => {
    const p = new BackfillPace(3000);
    run(p, 0, 30, fine);
    expect(p.state().kbps).toBe(3000);
    p.update(31_000, short, 3000);
    expect(p.state().kbps).toBe(1500);
  });

  it('grows without evidence (no live TCP destination measured) and ignores cameras too slow to judge', () => {
    const p = new BackfillPace(null, 1000);
    p.update(1000, [], 1000);
    expect(p.update(2000, [], 1000)).toBe(2000);
    expect(p.state().reason).toBe('no evidence');
    expect(p.update(3000, [{ ackedKbps: 1, cameraKbps: 8 }], 2000)).toBe(4000);
  });
});

describe('backfill pacing', () => {
  it('turns a live destination falling short into a slower throttle, on new samples only', () => {
    const throttle = new Throttle(null);
    let rates: LiveRates | null = null;
    const pacing = new BackfillPacing(
      throttle,
      null,
      () => rates,
      () => true,
      createLogger({ level: 'silent' }),
    );
    expect(throttle.kbps).toBe(START_KBPS);
    // Backfill sends at its allowance between two looks, 2 s apart.
    rates = {
      at: 10_000,
      destinations: [{ cameraId: 'c', destinationId: 'd', ackedKbps: 900, cameraKbps: 900 }],
    };
    pacing.step(10_000);
    throttle.sentBytes += (START_KBPS * 1000 * 2) / 8;
    rates = {
      at: 12_000,
      destinations: [{ cameraId: 'c', destinationId: 'd', ackedKbps: 300, cameraKbps: 900 }],
    };
    pacing.step(12_000);
    expect(throttle.kbps).toBe(START_KBPS / 2);
    expect(pacing.state().backoffs).toBe(1);
    // The same look again is no new evidence.
    pacing.step(13_000);
    expect(pacing.state().backoffs).toBe(1);
  });

  it('goes on by its own clock without samples, so backfill is not held at its starting rate', () => {
    const throttle = new Throttle(null);
    const pacing = new BackfillPacing(
      throttle,
      null,
      () => null,
      () => true,
      createLogger({ level: 'silent' }),
    );
    for (let t = 0; t <= 3000; t += 1000) {
      pacing.step(t);
      throttle.sentBytes += (throttle.kbps! * 1000) / 8;
    }
    // The first sample only starts the clock; two seconds of doubling follow.
    expect(throttle.kbps).toBe(START_KBPS * 4);
    expect(pacing.state().reason).toBe('no evidence');
  });
});
