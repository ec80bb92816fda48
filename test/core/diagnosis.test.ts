// The diagnose verdict and the durations it prints for clock skew.
import { describe, expect, it } from 'vitest';
import {
  CHECK_ORDER,
  formatDuration,
  verdictOf,
  type Check,
  type CheckStatus,
} from '../../src/core/diagnosis.ts';

function checks(...statuses: CheckStatus[]): Check[] {
  return statuses.map((status, i) => ({
    id: CHECK_ORDER[i % CHECK_ORDER.length]!,
    status,
    summary: status,
    hint: null,
  }));
}

describe('verdictOf', () => {
  it.each([
    [[], 'pass'],
    [['pass', 'pass', 'pass'], 'pass'],
    [['pass', 'skip', 'skip'], 'pass'],
    [['pass', 'warn', 'pass'], 'warn'],
    [['warn', 'skip'], 'warn'],
    [['pass', 'warn', 'fail'], 'fail'],
    [['fail', 'skip', 'skip', 'skip'], 'fail'],
    [['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail'], 'fail'],
  ] as [CheckStatus[], string][])('%j -> %s', (statuses, expected) => {
    expect(verdictOf(checks(...statuses))).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [0.4, '0 s'],
    [9.6, '10 s'],
    [59, '59 s'],
    [119, '119 s'],
    [120, '2 min'],
    [-90, '90 s'],
    [-3600, '60 min'],
    [7199, '120 min'],
    [7200, '2 h'],
    [86400, '24 h'],
    [172799, '48 h'],
    [172800, '2 days'],
    [30 * 86400, '30 days'],
    [63071999, '730 days'],
    [63072000, '2 years'],
    // The Bosch capture: camera clock about 2.5 years behind.
    [-78_000_000, '2 years'],
    [-80_000_000, '3 years'],
  ])('formatDuration(%d) = %j', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('CHECK_ORDER', () => {
  it('runs the ladder from the network up to the picture', () => {
    expect(CHECK_ORDER).toEqual([
      'tcp',
      'time',
      'auth',
      'profiles',
      'stream-uri',
      'rtsp',
      'keyframe',
      'snapshot',
    ]);
  });
});
