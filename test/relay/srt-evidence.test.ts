// How an SRT destination is judged from the lives of libsrt's UDP sockets: a socket that outlives a
// connect attempt is a connection; one that goes or is replaced is a break, owed from the peer
// idle timeout before its last sighting. The wildcard-socket table is read from the real /proc.
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { DestinationWatch, type CameraView } from '../../src/relay/destination-watch.ts';
import { socketInodes } from '../../src/relay/process-sockets.ts';
import { SRT_CONNECT_MS, SRT_PEER_IDLE_MS, SrtEvidence } from '../../src/relay/srt-evidence.ts';
import { readWildcardUdpInodes } from '../../src/relay/udp-table.ts';

const cam: CameraView = { pid: 42, live: true, fps: 25, kbps: 800, lastFrameAgeMs: 40 };
const MATURE = SRT_CONNECT_MS + 2000;

function srtWatch() {
  const states: string[] = [];
  const w = new DestinationWatch({
    destinationId: 'srt-platform',
    addresses: null,
    srt: true,
    stallMs: 10_000,
    graceMs: 20_000,
    logger: createLogger({ level: 'silent' }),
    onStateChange: (s) => states.push(s),
  });
  w.start(0);
  return { w, states };
}

describe('SRT evidence', () => {
  it('counts a socket as a connection only once it outlived a connect attempt', () => {
    const e = new SrtEvidence();
    expect(e.observe(['1'], 0).connected).toBe(false);
    expect(e.observe(['1'], SRT_CONNECT_MS).connected).toBe(false);
    expect(e.observe(['1'], MATURE)).toEqual({
      connected: true,
      broke: null,
      deliveredUntil: MATURE - SRT_PEER_IDLE_MS,
    });
  });

  it('does not call failed connect attempts breaks', () => {
    const e = new SrtEvidence();
    // A new socket every attempt (2 s wait, 3 s attempt): none lives long enough to be a connection.
    for (let t = 0, i = 0; t < 60_000; t += 1000, i = Math.floor(t / 5000)) {
      const v = e.observe(t % 5000 < 3000 ? [`a${i}`] : [], t);
      expect([v.connected, v.broke]).toEqual([false, null]);
    }
  });

  it('calls a connection replaced between two looks a break, owed from before its last sighting', () => {
    const e = new SrtEvidence();
    e.observe(['1'], 0);
    e.observe(['1'], MATURE);
    e.observe(['1'], 20_000);
    const v = e.observe(['2'], 27_000);
    expect(v.broke).toMatch(/SRT connection .* broke/);
    expect(v.connected).toBe(false);
    expect(v.deliveredUntil).toBe(20_000 - SRT_PEER_IDLE_MS);
  });

  it('with two SRT destinations, is connected only when both are', () => {
    const e = new SrtEvidence();
    e.observe(['1'], 0);
    expect(e.observe(['1', '2'], MATURE, 2).connected).toBe(false);
    expect(e.observe(['1', '2'], 2 * MATURE, 2).connected).toBe(true);
  });
});

describe('an SRT destination', () => {
  it('goes live with its connection, fails when it breaks, and is live again after a reconnect', () => {
    const { w, states } = srtWatch();
    w.tickSrt(0, cam, ['1']);
    w.tickSrt(MATURE, cam, ['1']);
    expect(w.status(MATURE).state).toBe('live');
    w.tickSrt(30_000, cam, ['1']);
    w.tickSrt(36_000, cam, []);
    const down = w.status(36_000);
    expect(down.state).toBe('backing-off');
    expect(down.deliveredUntil).toBe(30_000 - SRT_PEER_IDLE_MS);
    expect(down.lastError).toMatch(/SRT connection/);
    w.tickSrt(40_000, cam, ['2']);
    w.tickSrt(40_000 + MATURE, cam, ['2']);
    expect(states).toEqual(['starting', 'live', 'backing-off', 'live']);
  });

  it('fails when no connection comes within the start grace, and is not judged while the camera is down', () => {
    const { w, states } = srtWatch();
    for (let t = 0; t <= 21_000; t += 1000) w.tickSrt(t, cam, t % 5000 < 3000 ? [`a${t / 5000}`] : []);
    expect(w.status(21_000).lastError).toMatch(/no SRT connection within 20 s/);
    w.tickSrt(22_000, { ...cam, live: false }, []);
    expect(states).toEqual(['starting', 'backing-off']);
    // The TCP path leaves it alone: it is judged at tickSrt only.
    expect(w.tick(23_000, cam, [])).toEqual([]);
    expect(w.wantsCloseLook()).toBe(false);
  });

  it('follows its camera when the UDP table cannot be read', () => {
    const { w } = srtWatch();
    w.tickSrt(1000, cam, null);
    expect(w.status(1000).state).toBe('live');
  });
});

describe('the wildcard UDP table', () => {
  it("lists this process's wildcard-bound UDP sockets and leaves loopback-bound ones out", async () => {
    const bind = (address: string) =>
      new Promise<dgram.Socket>((resolve) => {
        const s = dgram.createSocket('udp4');
        s.bind(0, address, () => resolve(s));
      });
    const before = new Set(socketInodes(process.pid));
    const wildcard = await bind('0.0.0.0');
    const mid = new Set(socketInodes(process.pid));
    const loopback = await bind('127.0.0.1');
    try {
      const wildInode = [...mid].find((i) => !before.has(i))!;
      const loopInode = socketInodes(process.pid).find((i) => !mid.has(i))!;
      const table = readWildcardUdpInodes()!;
      expect(table.has(wildInode)).toBe(true);
      expect(table.has(loopInode)).toBe(false);
    } finally {
      wildcard.close();
      loopback.close();
    }
  });
});
