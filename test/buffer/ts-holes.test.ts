// Holes inside a segment: video that never reached the disk (the recording's fifo dropped it, or
// the camera sent nothing) is found in the bytes the daemon hashes anyway, and accounted as lost.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256FileSync } from '../../src/buffer/segment-files.ts';
import { SegmentIndex } from '../../src/buffer/segment-index.ts';
import { TsHoleScanner } from '../../src/buffer/ts-holes.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { AccountingRepo } from '../../src/store/accounting.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';

const dir = mkdtempSync(join(tmpdir(), 'ts-holes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 6 s of H.264 in MPEG-TS (B-frames, so decode and presentation order differ), the frames between `from` and `to` s dropped with their times kept. */
function segment(name: string, opts: { rate?: number; drop?: [number, number] } = {}): string {
  const out = join(dir, name);
  const select = opts.drop ? ['-vf', `select='not(between(t,${opts.drop[0]},${opts.drop[1]}))'`] : [];
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', `testsrc=size=64x64:rate=${opts.rate ?? 25}:duration=6`],
    ...select,
    ...['-fps_mode', 'passthrough', '-c:v', 'libx264', '-g', '25', '-f', 'mpegts', '-y', out],
  ]);
  return out;
}

const holes = (file: string) => {
  const scan = new TsHoleScanner();
  sha256FileSync(file, scan);
  return scan.holes;
};

describe('holes inside a segment', () => {
  it('finds where frames are missing and for how long, and nothing in a whole segment', () => {
    expect(holes(segment('whole.ts'))).toEqual([]);
    const found = holes(segment('hole.ts', { drop: [2, 3.5] }));
    expect(found).toHaveLength(1);
    // Frames 2.00 to 3.48 s are gone: the last one before is at 1.96 s, the next at 3.52 s (give
    // or take the encoder's decode-order shift, a frame or two).
    expect(found[0]!.atSeconds).toBeGreaterThan(1.9);
    expect(found[0]!.atSeconds).toBeLessThan(2.1);
    expect(found[0]!.seconds).toBeCloseTo(1.56, 1);
  });

  it('does not take a camera at one frame a second for a hole', () => {
    expect(holes(segment('slow.ts', { rate: 1 }))).toEqual([]);
  });

  it('says nothing about a file that is not MPEG-TS', () => {
    const junk = join(dir, 'junk.ts');
    writeFileSync(junk, Buffer.alloc(188 * 100, 1));
    expect(holes(junk)).toEqual([]);
  });

  it('accounts a hole in a closed segment as lost, not recorded, with its reason', () => {
    const cam = join(dir, 'spool', 'cam-1');
    mkdirSync(cam, { recursive: true });
    const db = openStore(join(dir, 'gateway.db'));
    try {
      const index = new SegmentIndex(join(dir, 'spool'), silentLogger);
      const spool = index.camera('cam-1');
      index.onRun(spool, '1000');
      const file = '1000-1796590000.ts';
      execFileSync('cp', [segment('hole2.ts', { drop: [2, 3.5] }), join(cam, file)]);
      writeFileSync(join(cam, '1000.csv'), `${file},0.000000,6.000000\n`);
      const repo = new SpoolRepo(db);
      index.pass(repo, new AccountingRepo(db));
      expect(repo.complete('cam-1')).toHaveLength(1);
      const [seg] = repo.complete('cam-1');
      const lost = repo.lost().filter((l) => l.cameraId === 'cam-1');
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ reason: 'not-recorded', destinationId: null });
      expect(lost[0]!.detail).toMatch(/^1\.6 s missing inside a segment/);
      expect(lost[0]!.startMs - seg!.startMs).toBeGreaterThanOrEqual(1900);
      expect(lost[0]!.endMs - lost[0]!.startMs).toBeGreaterThanOrEqual(1500);
    } finally {
      db.close();
    }
  });
});
