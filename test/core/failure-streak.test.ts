// A part is `failing` after N failures in a row (issue 12 item 6): one alarm, one clear.
import { describe, expect, it } from 'vitest';
import { FailureStreak } from '../../src/core/failure-streak.ts';

describe('FailureStreak', () => {
  it('enters failing once, at the Nth failure in a row, and a success clears it once', () => {
    const s = new FailureStreak(3);
    expect([s.failed(1000), s.failed(2000)]).toEqual([null, null]);
    expect(s.failing).toBe(false);
    expect(s.failed(3000)).toBe('entered');
    expect(s.failingSince).toBe(3000);
    // More failures raise no second alarm.
    expect(s.failed(4000)).toBe(null);
    expect(s.failures).toBe(4);
    expect(s.succeeded()).toBe('cleared');
    expect(s.failing).toBe(false);
    expect(s.succeeded()).toBe(null);
    expect(s.failures).toBe(0);
  });

  it('counts only failures in a row: a success in between starts again', () => {
    const s = new FailureStreak(3);
    s.failed(1);
    s.failed(2);
    expect(s.succeeded()).toBe(null);
    s.failed(3);
    s.failed(4);
    expect(s.failing).toBe(false);
  });

  it('with threshold 0 is never failing', () => {
    const s = new FailureStreak(0);
    for (let i = 0; i < 50; i++) expect(s.failed(i)).toBe(null);
    expect(s.failing).toBe(false);
  });
});
