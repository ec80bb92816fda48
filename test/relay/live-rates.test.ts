// The live destinations' acknowledged rates beside their camera's, between two looks at the TCP
// table (src/relay/live-rates.ts): what backfill's pace is fed.
import { describe, expect, it } from 'vitest';
import { LIVE_RATES_FOR_MS, LiveRateSampler } from '../../src/relay/live-rates.ts';

const table = (rows: [string, number, number][]) =>
  new Map(rows.map(([inode, bytesAcked, bytesReceived]) => [inode, { bytesAcked, bytesReceived }]));

const streams = [
  {
    cameraId: 'cam-1',
    camera: ['pull', 'dest-a', 'dest-b'],
    destinations: [
      { id: 'a', inodes: ['dest-a'] },
      { id: 'b', inodes: ['dest-b'] },
      { id: 'down', inodes: [] },
    ],
  },
];

describe('live rates', () => {
  it('gives each live destination its acknowledged kbit/s and its camera kbit/s over the same two looks', () => {
    const s = new LiveRateSampler();
    expect(s.sample(0, streams)).toBeNull();
    s.update(
      table([
        ['pull', 0, 0],
        ['dest-a', 0, 0],
        ['dest-b', 0, 0],
      ]),
      1000,
    );
    // 2 s later: the camera sent 500 kB (2000 kbit/s); a got all of it acknowledged, b a quarter.
    s.update(
      table([
        ['pull', 0, 500_000],
        ['dest-a', 500_000, 0],
        ['dest-b', 125_000, 0],
      ]),
      3000,
    );
    expect(s.sample(3500, streams)).toEqual({
      at: 3000,
      destinations: [
        { cameraId: 'cam-1', destinationId: 'a', ackedKbps: 2000, cameraKbps: 2000 },
        { cameraId: 'cam-1', destinationId: 'b', ackedKbps: 500, cameraKbps: 2000 },
      ],
    });
  });

  it('asks the relay to look at every tick only for a while after each ask', () => {
    const s = new LiveRateSampler();
    expect(s.wanted(0)).toBe(false);
    s.sample(10_000, streams);
    expect(s.wanted(10_000 + LIVE_RATES_FOR_MS - 1)).toBe(true);
    expect(s.wanted(10_000 + LIVE_RATES_FOR_MS)).toBe(false);
  });
});
