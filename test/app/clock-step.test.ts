// The real daemon under libfaketime (Debian's faketime): its wall clock is stepped back a day, then
// forward a year, mid-run, through a timestamp file it re-reads at every call; its monotonic clock
// is left alone, as NTP leaves it. Measured here: node and ffmpeg run under it, but the kernel
// stamps files with the real time and node's fs.stat goes round libc (statx), so a segment's
// modification time keeps the unstepped clock. The daemon takes a file time nearer the old
// timebase for one closed before the step for up to a minute after it (core/clock.ts redate), so
// the index is checked within that minute; on a real box the kernel's times step with the clock.
// Last, the clock is stepped back while the daemon is stopped: found at its next start. After it
// all, the product's own `backlog --json` (run on the kernel's clock) is printed (see its test).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { sha256File } from '../../src/buffer/segment-files.ts';
import { SpoolRepo, type LostRow, type SegmentRow } from '../../src/store/spool.ts';
import { describeAccount, destinationAccount, settledBacklog } from '../support/accounting.ts';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

const DAY = 86_400_000;
const SEGMENT_S = 2;

/** Debian's libfaketime (package faketime, scripts/setup.sh), whatever the architecture directory. */
function libfaketime(): string {
  for (const arch of readdirSync('/usr/lib')) {
    const lib = join('/usr/lib', arch, 'faketime', 'libfaketime.so.1');
    if (existsSync(lib)) return lib;
  }
  throw new Error('libfaketime not found: apt-get install faketime (scripts/setup.sh)');
}

let site: SimSite;
let rtmp: Ingest;
let dir: string;
let daemon: Daemon;
let offsetFile: string;
let earlier: SegmentRow;
let config: string;
/** The segments as dated once the clock was right again (in the kernel's timebase). */
let righted: SegmentRow[] = [];
let socket: string;
const underFaketime = () => ({
  LD_PRELOAD: libfaketime(),
  FAKETIME_TIMESTAMP_FILE: offsetFile,
  FAKETIME_NO_CACHE: '1',
  FAKETIME_DONT_FAKE_MONOTONIC: '1',
});

/** Every segment on disk, in the order they were indexed. */
function segments(): SegmentRow[] {
  const db = openStore(join(dir, 'gateway.db'), { readonly: true });
  try {
    return new SpoolRepo(db).complete().sort((x, y) => x.id - y.id);
  } finally {
    db.close();
  }
}
const recorded = () => segments().filter((s) => s.id !== earlier.id);
const steps = () =>
  daemon
    .log()
    .split('\n')
    .filter((l) => l.includes('this boot re-dated'));

function lost(): LostRow[] {
  const db = openStore(join(dir, 'gateway.db'), { readonly: true });
  try {
    return new SpoolRepo(db).lost();
  } finally {
    db.close();
  }
}

/**
 * The segments are in stream order by time too (what backfill sends by), with no hole or overlap
 * past the cut but the new run a step back starts, which the ledger accounts with its reason.
 */
function expectContinuous(segs: SegmentRow[]): void {
  const byTime = [...segs].sort((a, b) => a.startMs - b.startMs || a.id - b.id);
  expect(byTime.map((s) => s.id)).toEqual(segs.map((s) => s.id));
  const accounted = lost().filter((l) => /stepped back/.test(l.detail ?? ''));
  for (let i = 1; i < segs.length; i++) {
    const [a, b] = [segs[i - 1]!, segs[i]!];
    const hole = b.startMs - a.endMs;
    const why = accounted.find((l) => l.startMs <= a.endMs + 1000 && l.endMs >= b.startMs - 1000);
    if (hole > 1000 && why) continue;
    expect(Math.abs(hole), `between segments ${a.id} and ${b.id}`).toBeLessThan(1000);
  }
}

/** No segment file was written over: each still has the bytes it was indexed with. */
async function expectIntact(segs: SegmentRow[]): Promise<void> {
  for (const s of segs)
    expect(await sha256File(s.path), s.path).toEqual({ sha256: s.sha256, bytes: s.bytes });
}

/** Steps the daemon's wall clock to `offset` from the kernel's; waits for the `nth` step to be noticed and `segments` more recorded. */
async function stepTo(offset: string, nth: number, segments: number): Promise<SegmentRow[]> {
  writeFileSync(offsetFile, `${offset}\n`);
  await waitFor(() => steps().length >= nth, `step ${nth} (${offset}) noticed`, 30_000);
  const n = recorded().length;
  await waitFor(() => recorded().length >= n + segments, `${segments} segments after step ${nth}`, 90_000);
  return recorded();
}

/** Each segment of `before` now starts `deltaMs` from where it started then (within the index's precision). */
function expectMoved(before: SegmentRow[], after: SegmentRow[], deltaMs: number): void {
  for (const s of before) {
    const moved = after.find((x) => x.id === s.id)!.startMs - s.startMs;
    expect(Math.abs(moved - deltaMs), `segment ${s.id} moved by ${moved} ms`).toBeLessThan(2000);
  }
}

/** A loopback port the OS just gave and took back: nothing listens there. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  [site, rtmp] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'hikvision' }] }),
    startRtmpIngest(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'egw-clock-'));
  const spool = join(dir, 'spool');
  // A segment of an earlier boot, a minute old: its time cannot be re-dated, only kept.
  mkdirSync(join(spool, 'cam-a'), { recursive: true });
  const path = join(spool, 'cam-a', 'earlier-1.ts');
  writeFileSync(path, Buffer.alloc(188 * 10));
  const db = openStore(join(dir, 'gateway.db'));
  const now = Date.now();
  const repo = new SpoolRepo(db);
  repo.addSegment({
    cameraId: 'cam-a',
    path,
    startMs: now - 62_000,
    endMs: now - 60_000,
    bytes: 1880,
    sha256: 'x'.repeat(64),
    recovered: false,
  });
  earlier = repo.complete()[0]!;
  db.close();
  offsetFile = join(dir, 'faketime');
  writeFileSync(offsetFile, '+0\n');
  socket = join(dir, 'status.sock');
  config = join(dir, 'gateway.yaml');
  const deadPort = await closedPort();
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Clock step test }',
      'cameras:',
      `  - { id: cam-a, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      // Never live: nothing ever listens there. Kept in the tee (failingAfter 0: no move to a
      // process of its own, which would restart the camera's) so that only the steps restart it.
      `  - { id: dead, url: "rtmp://127.0.0.1:${deadPort}/live/{cameraId}" }`,
      `relay: { statusSocket: ${socket}, stallSeconds: 4, startGraceSeconds: 15, backoffSeconds: [0.5, 1, 2], stopTimeoutSeconds: 2, failingAfter: 0 }`,
      // Six minutes: a year forward puts every segment past it by the wall clock.
      `recording: { dir: ${spool}, segmentSeconds: ${SEGMENT_S}, minFreeMb: 16, maxAgeHours: 0.1 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket, underFaketime());
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the wall clock stepped under the running daemon', () => {
  it('re-dates this boot back a day and forward a year, keeps the index in order, restarts nothing, deletes nothing', async () => {
    await waitFor(() => recorded().length >= 4, '4 segments before any step', 60_000);
    const restarts = () =>
      daemon.status().then((s) => {
        const st = s.streams[0]!;
        return st.restartsTotal + (st.recording?.restartsTotal ?? 0) + st.destinations[0]!.restartsTotal;
      });
    const before = recorded();
    const pidBefore = (await daemon.status()).streams[0]!.pid;

    // Back a day: the camera process starts a new run of segment names.
    const afterBack = await stepTo('-1d', 1, 4);
    expect(steps()[0]).toMatch(/"deltaSeconds":-86400\b/);
    const pid = (await daemon.status()).streams[0]!.pid;
    expect(pid, 'a new run after the step back').not.toBe(pidBefore);
    const restartsBefore = await restarts();
    // Re-dated: what was recorded before the step moved back the day with the clock.
    expectMoved(before, afterBack, -DAY);
    expectContinuous(afterBack);

    // NTP puts it right: forward the day again (and the next step starts from the kernel's timebase).
    righted = await stepTo('+0', 2, 4);
    expect(steps()[1]).toMatch(/"deltaSeconds":86400\b/);
    expectMoved(before, righted, 0);
    expectContinuous(righted);

    // A bad server: a year forward. Past a retention pass (every 30 s on the watchdog clock) with
    // every segment a year old by the wall clock.
    const afterForward = await stepTo('+365d', 3, 17);
    expect(steps()[2]).toMatch(/"deltaSeconds":31536000\b/);
    const all = segments();
    expect(
      all.find((s) => s.id === earlier.id),
      'the earlier boot segment kept',
    ).toBeDefined();
    expect(daemon.log()).not.toMatch(/"msg":"retention"/);
    expect(afterForward.map((s) => s.id)).toEqual(expect.arrayContaining(afterBack.map((s) => s.id)));
    expectContinuous(afterForward);
    const end = (await daemon.status()).streams[0]!;
    expect(end.pid, 'the forward steps restarted nothing').toBe(pid);
    expect(await restarts()).toBe(restartsBefore);
    expect(end.state).toBe('live');

    // Back ten seconds: the same run would open names it wrote ten seconds ago, over them.
    const afterSmall = await stepTo('+31535990', 4, 6);
    expect(steps()[3]).toMatch(/"deltaSeconds":-10\b/);
    await expectIntact(afterSmall);
  }, 300_000);

  it('finds a step made while it was stopped at its next start, and re-dates this boot once', async () => {
    await daemon.stop();
    const before = recorded();
    expect(righted.length).toBeGreaterThan(0);
    // Back the year while stopped: the same boot, another offset between the clocks.
    writeFileSync(offsetFile, '+0\n');
    daemon = await startDaemon(config, socket, underFaketime());
    await waitFor(() => steps().length >= 1, 'the step found at start', 30_000);
    expect(steps()[0]).toMatch(/"deltaSeconds":-31535990\b/);
    expect(steps()[0]).toMatch(/"whileStopped":true/);
    // Back where they were while the clock was right (those dated under libfaketime's kernel times
    // more than a minute after a step are not of the daemon's timebase: see the header).
    expectMoved(righted, recorded(), 0);
    expect(segments().find((s) => s.id === earlier.id)?.startMs).toBe(earlier.startMs);
    await waitFor(() => recorded().length >= before.length + 3, 'recording again', 60_000);
    expect(steps()).toHaveLength(1);
  }, 120_000);

  it('accounts every second of the run after the steps, within a segment', async () => {
    await waitFor(
      async () => (await daemon.status()).streams[0]?.destinations[0]?.state === 'live',
      'live',
      60_000,
    );
    const b = await settledBacklog(config, {}, 'cam-a', 'national');
    const { camera, d, sum } = destinationAccount(b, 'cam-a', 'national');
    console.info(describeAccount('clock-step accounting cam-a/national', d, sum));
    expect(d.configuredSeconds).toBeGreaterThan(60);
    // Every second once: the restarts a step back caused are accounted, not left out. What the
    // camera's new run did not record is the relay's restart; the rest of the destination's outage
    // was recorded but cannot be sent (no backfill endpoint).
    expect(camera.recording.lostByReason['relay-restart'], 'the restarts named').toBeGreaterThan(0);
    expect(d.lostByReason['no-backfill-endpoint']).toBeGreaterThan(0);
    // A destination never live since the camera was configured adds up too, as never-live.
    const dead = destinationAccount(b, 'cam-a', 'dead');
    console.info(describeAccount('clock-step accounting cam-a/dead', dead.d, dead.sum));
    expect(dead.d.liveSeconds).toBe(0);
    expect(Math.abs(dead.d.configuredSeconds - dead.sum)).toBeLessThanOrEqual(SEGMENT_S);
    expect(dead.d.lostByReason['never-live']).toBeGreaterThan(10);
    expect(Math.abs(d.configuredSeconds - sum)).toBeLessThanOrEqual(SEGMENT_S);
    expect(d.unaccountedSeconds).toBeLessThanOrEqual(SEGMENT_S);
  }, 180_000);
});
