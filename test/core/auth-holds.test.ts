// The rule that protects camera accounts: a rejected set of credentials is retried at most N times
// an hour; new credentials are tried at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthHolds } from '../../src/core/auth-holds.ts';

const clock = () => {
  const c = { t: 0, now: () => c.t, random: () => 0.5 };
  return c;
};

describe('AuthHolds', () => {
  it('allows at most attemptsPerHour failures with the same credentials in any hour', () => {
    const c = clock();
    const holds = new AuthHolds(3, c);
    let failures = 0;
    // A daemon retrying every minute for three hours with a wrong password.
    for (c.t = 0; c.t < 3 * 3_600_000; c.t += 60_000) {
      if (!holds.mayTry('cam', 'k1')) continue;
      holds.rejected('cam', 'k1');
      failures++;
    }
    expect(failures).toBe(9);
  });

  it('tries new credentials at once, and forgets the hold once they are accepted', () => {
    const c = clock();
    const holds = new AuthHolds(1, c);
    holds.rejected('cam', 'k1');
    expect(holds.mayTry('cam', 'k1')).toBe(false);
    expect(holds.retryAt('cam')).toBe(3_600_000);
    expect(holds.mayTry('cam', 'k2')).toBe(true);
    holds.accepted('cam');
    expect(holds.held()).toEqual([]);
    expect(holds.mayTry('cam', 'k1')).toBe(true);
  });

  it('with 0 attempts an hour, waits for new credentials', () => {
    const c = clock();
    const holds = new AuthHolds(0, c);
    holds.rejected('cam', 'k1');
    c.t = 10 * 3_600_000;
    expect(holds.mayTry('cam', 'k1')).toBe(false);
  });

  it('forgets no failure when the wall clock steps a year forward (a bad NTP server)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const holds = new AuthHolds(3);
    for (let i = 0; i < 3; i++) holds.rejected('dahua', 'k1');
    expect(holds.mayTry('dahua', 'k1')).toBe(false);
    vi.setSystemTime(Date.now() + 365 * 24 * 3_600_000);
    expect(holds.mayTry('dahua', 'k1')).toBe(false);
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AuthHolds, spread and shared', () => {
  it('spreads the allowed failures over the hour instead of spending them in a burst', () => {
    const c = clock();
    const holds = new AuthHolds(3, c);
    holds.rejected('cam', 'k1', 1, 'rtsp');
    expect(holds.retryAt('cam')).toBe(1_200_000);
    c.t = 1_199_999;
    expect(holds.mayTry('cam', 'k1')).toBe(false);
    c.t = 1_200_000;
    expect(holds.mayTry('cam', 'k1')).toBe(true);
  });

  it('says null for the retry time when only new credentials will be tried', () => {
    const holds = new AuthHolds(0, clock());
    holds.rejected('cam', 'k1');
    expect(holds.retryAt('cam')).toBe(null);
  });

  it('keeps an RTSP refusal through an ONVIF success (a 403 is not a wrong password), not the reverse', () => {
    const holds = new AuthHolds(3, clock());
    holds.rejected('cam', 'k1', 1, 'rtsp');
    holds.accepted('cam', 'onvif');
    expect(holds.isHeld('cam')).toBe(true);
    holds.accepted('cam', 'rtsp');
    expect(holds.isHeld('cam')).toBe(false);
    holds.rejected('cam', 'k1', 2, 'onvif');
    holds.accepted('cam', 'rtsp');
    expect(holds.isHeld('cam')).toBe(false);
  });
});
