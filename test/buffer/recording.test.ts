// Local recording with the real daemon: keyframe-aligned segments indexed with size and SHA-256,
// no gap from upstream faults, exactly the camera's gap accounted as lost, reconciliation after
// SIGKILL, and a full disk that pauses recording (alarm) while the live relay goes on.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFile } from '../../src/relay/ffprobe.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo, type LostRow, type SegmentRow } from '../../src/store/spool.ts';
import { sha256File } from '../../src/buffer/segment-files.ts';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = process.getuid?.() === 0;
let site: SimSite;
let rtmp: Ingest;
let dir: string;
let spool: string;
let mounted = false;
let config: string;
let socket: string;
let daemon: Daemon;

function spoolState(): { segments: SegmentRow[]; lost: LostRow[] } {
  const db = openStore(join(dir, 'gateway.db'), { readonly: true });
  try {
    const repo = new SpoolRepo(db);
    return { segments: repo.complete('cam-a'), lost: repo.lost() };
  } finally {
    db.close();
  }
}
const segmentsAfter = (ms: number) => spoolState().segments.filter((s) => s.startMs >= ms);
const recState = async () => (await daemon.status()).streams[0]?.recording?.state;

/** Largest hole between consecutive segments in [from, to]. */
function largestGapMs(segs: SegmentRow[], from: number, to: number): number {
  const inRange = segs.filter((s) => s.endMs >= from && s.startMs <= to);
  return inRange.slice(1).reduce((g, s, i) => Math.max(g, s.startMs - inRange[i]!.endMs), 0);
}

beforeAll(async () => {
  [site, rtmp] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'hikvision' }] }),
    startRtmpIngest(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'egw-rec-'));
  spool = join(dir, 'spool');
  mkdirSync(spool);
  if (ROOT) {
    // A small volume of its own, so the full-disk test fills it and nothing else.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', spool]);
    mounted = true;
  }
  socket = join(dir, 'status.sock');
  config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Recording test }',
      'cameras:',
      `  - { id: cam-a, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      `relay: { statusSocket: ${socket}, stallSeconds: 4, startGraceSeconds: 15, backoffSeconds: [0.5, 1, 2], stopTimeoutSeconds: 2 }`,
      `recording: { dir: ${spool}, segmentSeconds: 2, minFreeMb: 16 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop()]);
  if (mounted) execFileSync('umount', ['-l', spool]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('local recording', () => {
  it('records keyframe-aligned segments continuously, each indexed with its size and SHA-256', async () => {
    await waitFor(() => spoolState().segments.length >= 4, '4 indexed segments', 60_000);
    const segs = spoolState().segments;
    for (const s of segs) {
      expect(existsSync(s.path), s.path).toBe(true);
      expect(await sha256File(s.path)).toEqual({ sha256: s.sha256, bytes: s.bytes });
      expect((await probeFile(s.path)).keyframes, s.path).toBeGreaterThan(0);
    }
    expect(largestGapMs(segs, segs[0]!.startMs, segs.at(-1)!.endMs)).toBeLessThan(1000);
  }, 90_000);

  it('makes no gap in local recording while a destination is down', async () => {
    const from = Date.now();
    await rtmp.kill();
    await new Promise((r) => setTimeout(r, 8000));
    await rtmp.restart();
    const to = Date.now();
    await waitFor(() => segmentsAfter(to).length >= 1, 'segments after the outage', 30_000);
    expect(largestGapMs(spoolState().segments, from, to)).toBeLessThan(1000);
  }, 60_000);

  it('makes exactly the gap the camera caused, and accounts for it as lost', async () => {
    const cam = site.cameras[0]!;
    const down = Date.now();
    await cam.stopRtsp();
    await waitFor(
      async () => (await daemon.status()).streams[0]?.state !== 'live',
      'camera seen down',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    await cam.startRtsp();
    const up = Date.now();
    await waitFor(() => segmentsAfter(up).length >= 2, 'recording again', 60_000);
    const lost = await waitFor(
      () => spoolState().lost.find((l) => l.reason === 'camera-down' && l.endMs >= down),
      'camera-down in the ledger',
    );
    expect(lost.startMs).toBeGreaterThanOrEqual(down - 1000);
    // The recorded gap and the accounted one agree within a segment.
    const segs = spoolState().segments;
    const gap = largestGapMs(segs, down - 3000, up + 10_000);
    expect(Math.abs(gap - (lost.endMs - lost.startMs))).toBeLessThan(2500);
  }, 120_000);

  it('reconciles disk and index after a SIGKILL mid-segment', async () => {
    const camDir = join(spool, 'cam-a');
    const newest = () =>
      readdirSync(camDir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .at(-1)!;
    // Mid-segment: the file being written already holds data.
    await waitFor(
      () =>
        statSync(join(camDir, newest())).size > 8000 &&
        !spoolState().segments.some((s) => s.path.endsWith(newest())),
      'a segment half written',
      30_000,
    );
    daemon.proc.kill('SIGKILL');
    await waitFor(() => daemon.proc.exitCode !== null || daemon.proc.signalCode !== null, 'daemon gone');
    daemon = await startDaemon(config, socket);
    await waitFor(async () => (await recState()) === 'live', 'recording after restart', 60_000);
    expect(daemon.log()).toMatch(/spool reconciled after an unclean stop/);
    await daemon.stop();
    // Nothing indexed that is not on disk, nothing on disk forgotten (except what was accounted).
    const { segments } = spoolState();
    const onDisk = readdirSync(camDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(camDir, f))
      .sort();
    expect(segments.map((s) => s.path).sort()).toEqual(onDisk);
    daemon = await startDaemon(config, socket);
  }, 120_000);

  it.skipIf(!ROOT)(
    'pauses recording with an alarm when the disk is full, keeps relaying, and resumes',
    async () => {
      await waitFor(async () => (await recState()) === 'live', 'recording live');
      const filler = join(spool, 'filler.bin');
      const free = Number(
        execFileSync('df', ['-B1', '--output=avail', spool]).toString().trim().split('\n')[1],
      );
      const pull = (await daemon.status()).streams[0]?.pid;
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - 4 * 1024 * 1024)));
      try {
        await waitFor(() => /disk full/.test(daemon.log()), 'the disk-full alarm', 30_000);
        await waitFor(async () => (await recState()) !== 'live', 'recording paused', 30_000);
        const frames = await rtmp.framesReceived('cam-a');
        await waitFor(
          async () => (await rtmp.framesReceived('cam-a')) > frames + 30,
          'live relay going on',
          30_000,
        );
      } finally {
        unlinkSync(filler);
      }
      const back = Date.now();
      await waitFor(() => segmentsAfter(back).length >= 1, 'recording resumed', 60_000);
      expect(daemon.log()).toMatch(/disk space back: recording resumes/);
      // Only the recording paused: the camera's process (the live relay) is the same one.
      expect((await daemon.status()).streams[0]?.pid).toBe(pull);
      // The hole in the recording is accounted, with its reason.
      const lost = await waitFor(
        () => spoolState().lost.find((l) => l.reason === 'not-recorded' && l.endMs >= back),
        'the unrecorded span in the ledger',
      );
      expect(lost.detail).toMatch(/disk full/);
    },
    150_000,
  );
});
