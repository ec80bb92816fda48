// A hung server told from a reader by the window it advertises, on TCP_INFO sequences recorded
// from real servers (bench/backfill/window-probe.py wrote test/fixtures/tcp-info: ffmpeg publishing
// to nginx-rtmp or GStreamer's RTSP record server on loopback, sampled every 0.5 s, the server
// SIGSTOPped or not). Replayed at the looks the relay takes: every stallSeconds/5 while a look
// gave no evidence, every stallSeconds/2 while it did.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeliveryEvidence, judge } from '../../src/relay/delivery-evidence.ts';
import type { TcpSocket } from '../../src/relay/tcp-table.ts';

interface Row {
  t: number;
  stopped: boolean;
  s: TcpSocket;
}

function recorded(name: string): Row[] {
  const text = readFileSync(new URL(`../fixtures/tcp-info/${name}.txt`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^\s*\d/.test(l))
    .map((l) => {
      // t stop sendq acked dAcked recv dRecv lastrcv lastack snd_wnd ...
      const f = l.trim().split(/\s+/).map(Number);
      const at = (i: number) => f[i] ?? 0;
      return {
        t: Math.round(at(0) * 1000),
        stopped: at(1) === 1,
        s: {
          inode: '1',
          local: '127.0.0.1:40000',
          remote: '127.0.0.1:1935',
          sendQueue: at(2),
          bytesAcked: at(3),
          bytesReceived: at(5),
          lastAckMs: at(8),
          sndWnd: at(9),
        },
      };
    });
}

/** Looks as the relay takes them; the first stuck verdict's time and reason, if any. */
function replay(rows: Row[], stallMs: number) {
  const evidence = new DeliveryEvidence(stallMs);
  let next = 0;
  for (const { t, s } of rows) {
    if (t < next) continue;
    const j = judge(evidence, [s], t, null);
    if (j.stuck) return { at: t, reason: j.stuck.reason };
    next = t + (evidence.waiting() ? stallMs / 5 : stallMs / 2);
  }
  return null;
}

const stopAt = (rows: Row[]) => rows.find((r) => r.stopped)?.t ?? NaN;

describe('delivery evidence on recorded connections', () => {
  for (const stallMs of [4000, 10_000]) {
    it(`never judges a reading server stuck (stallSeconds ${stallMs / 1000})`, () => {
      for (const name of ['rtmp-low-read', 'rtmp-high-read', 'rtsp-low-read', 'rtsp-high-read'])
        expect(replay(recorded(name), stallMs), name).toBeNull();
      // The recordings with a stop read normally before it.
      for (const name of ['rtmp-low-stop', 'rtsp-low-stop', 'rtmp-high-stop', 'rtsp-high-stop']) {
        const rows = recorded(name);
        expect(
          replay(
            rows.filter((r) => !r.stopped),
            stallMs,
          ),
          name,
        ).toBeNull();
      }
    });
  }

  it('never judges stuck a reader whose window dips a little now and then while megabytes go in', () => {
    // nginx-rtmp at 4 Mbit/s says nothing to a publisher and holds its window steady; the relay
    // bench (16 cameras, a 240 s window, a quiet machine) saw it reset three times: a dip of a
    // kilobyte began a run of looks, the steady window after it never rose, a second dip came
    // later, and the run counted from the first. A stopped reader's window falls by what arrives.
    const rows = recorded('rtmp-high-read');
    const dipped = rows.map((r) => ({
      ...r,
      s: { ...r.s, sndWnd: 708_608 - (r.t >= 4000 ? 1024 : 0) - (r.t >= 30_000 ? 1024 : 0) },
    }));
    for (const stallMs of [4000, 10_000])
      expect(replay(dipped, stallMs), `stallSeconds ${stallMs / 1000}`).toBeNull();
  });

  it('judges a stopped nginx-rtmp or GStreamer RTSP server stuck by its window, long before it shuts at 75 kbit/s', () => {
    const delays: string[] = [];
    for (const name of ['rtmp-low-stop', 'rtsp-low-stop', 'rtmp-high-stop', 'rtsp-high-stop'])
      for (const stallMs of [4000, 10_000]) {
        const rows = recorded(name);
        const v = replay(rows, stallMs);
        expect(v, `${name} at stallSeconds ${stallMs / 1000}`).not.toBeNull();
        const delay = v!.at - stopAt(rows);
        delays.push(`${name} stallSeconds ${stallMs / 1000}: ${(delay / 1000).toFixed(1)} s (${v!.reason})`);
        // A stall, the time the window takes to start falling (GStreamer's: 2 s at 75 kbit/s), and
        // a look.
        expect(delay, name).toBeLessThanOrEqual(stallMs + 2500 + stallMs / 2);
        if (name.includes('low'))
          expect(v!.reason, 'at 75 kbit/s, before the window shuts').toMatch(/only shrunk/);
      }
    console.info(`hung server detected after (recorded sequences):\n  ${delays.join('\n  ')}`);
  });

  it('dates what was proven read before the stop, at the last look with the window at its highest', () => {
    const rows = recorded('rtmp-low-stop');
    const evidence = new DeliveryEvidence(4000);
    for (const { t, s } of rows) judge(evidence, [s], t, null);
    expect(evidence.deliveredUntil('1')).toBeLessThanOrEqual(stopAt(rows));
  });
});
