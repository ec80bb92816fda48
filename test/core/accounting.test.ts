// Where every second went: each second of a destination counted once (live, backfilled, owed,
// lost by reason) and what is none of these shown as unaccounted.
import { describe, expect, it } from 'vitest';
import { accountDestination, accountRecording } from '../../src/core/accounting.ts';
import { intersect, subtract, union } from '../../src/core/intervals.ts';

const s = (a: number, b: number) => ({ startMs: a * 1000, endMs: b * 1000 });

describe('intervals', () => {
  it('unions, subtracts and intersects half-open spans', () => {
    expect(union([s(5, 7), s(0, 2), s(1, 3), s(3, 4)])).toEqual([s(0, 4), s(5, 7)]);
    expect(subtract([s(0, 10)], [s(2, 3), s(5, 12)])).toEqual([s(0, 2), s(3, 5)]);
    expect(intersect([s(0, 4), s(6, 10)], [s(3, 7)])).toEqual([s(3, 4), s(6, 7)]);
  });
});

describe('accounting of a destination', () => {
  it('counts each second once, an outage winning over the up state it overlaps', () => {
    const a = accountDestination({
      window: s(0, 100),
      // Up from 2 s; down seen at 40 (owed from 30), up again at 50; gateway down 70-80.
      up: [s(2, 40), s(50, 70), s(80, 100)],
      outages: [{ ...s(0, 2) }, { ...s(30, 50) }, { startMs: 68_000, endMs: null }],
      backfilled: [s(0, 2), s(30, 36), s(36, 40), s(44, 50)],
      owed: [s(68, 70), s(78, 100)],
      lost: [
        { ...s(40, 44), reason: 'camera-down' },
        { ...s(70, 78), reason: 'gateway-down' },
        { ...s(71, 75), reason: 'camera-down' },
      ],
    });
    expect(a).toEqual({
      configuredSeconds: 100,
      liveSeconds: 28 + 18,
      backfilledSeconds: 2 + 10 + 6,
      owedSeconds: 2 + 22,
      lostSeconds: 12,
      lostByReason: { 'camera-down': 8, 'gateway-down': 4 },
      unaccountedSeconds: 0,
    });
  });

  it('counts a restart the relay decided once, under its reason, and the rest of the outage as not sendable', () => {
    // A destination without backfill, live throughout but for a restart of its camera's ffmpeg at
    // 40 (a clock stepped back): its outage opens at 30 (the margin before the last delivery),
    // nothing was recorded 40-42, and it is live again at 45.
    const a = accountDestination({
      window: s(0, 60),
      up: [s(0, 40), s(45, 60)],
      outages: [s(30, 45)],
      backfilled: [],
      owed: [],
      lost: [
        { ...s(40, 42), reason: 'relay-restart' },
        { ...s(30, 45), reason: 'no-backfill-endpoint' },
      ],
    });
    expect(a).toMatchObject({
      liveSeconds: 30 + 15,
      lostSeconds: 15,
      lostByReason: { 'relay-restart': 2, 'no-backfill-endpoint': 13 },
      unaccountedSeconds: 0,
    });
  });

  it('accounts a destination never judged as never-live, and one judged late until it was', () => {
    const dead = accountDestination({
      window: s(0, 60),
      up: [],
      outages: [],
      backfilled: [],
      owed: [],
      lost: [{ ...s(10, 20), reason: 'camera-down' }],
      judgedFromMs: null,
    });
    expect(dead).toMatchObject({
      lostSeconds: 60,
      lostByReason: { 'camera-down': 10, 'never-live': 50 },
      unaccountedSeconds: 0,
    });
    // First judged at 30 (an outage opened at its first live, 40, from the start of the run).
    const late = accountDestination({
      window: s(0, 60),
      up: [s(40, 60)],
      outages: [s(30, 40)],
      backfilled: [s(30, 40)],
      owed: [],
      lost: [],
      judgedFromMs: 30_000,
    });
    expect(late).toMatchObject({
      liveSeconds: 20,
      backfilledSeconds: 10,
      lostByReason: { 'never-live': 30 },
      unaccountedSeconds: 0,
    });
  });

  it('shows as unaccounted what is neither live nor in an outage, and an outage second with no reason', () => {
    const a = accountDestination({
      window: s(0, 60),
      up: [s(0, 20), s(40, 60)],
      outages: [s(10, 20)],
      backfilled: [s(10, 15)],
      owed: [],
      lost: [],
    });
    expect(a.unaccountedSeconds).toBe(20 + 5);
    expect(a.liveSeconds + a.backfilledSeconds + a.owedSeconds + a.lostSeconds + a.unaccountedSeconds).toBe(
      60,
    );
  });
});

describe('accounting of a recording', () => {
  it('counts recorded segments first, then lost spans by reason', () => {
    const a = accountRecording({
      window: s(0, 30),
      recorded: [s(0, 10), s(8, 12), s(20, 30)],
      lost: [
        { ...s(12, 18), reason: 'not-recorded' },
        { ...s(25, 27), reason: 'evicted-undelivered' },
      ],
    });
    expect(a).toEqual({
      configuredSeconds: 30,
      recordedSeconds: 22,
      lostSeconds: 6,
      lostByReason: { 'not-recorded': 6 },
      unaccountedSeconds: 2,
    });
  });
});
