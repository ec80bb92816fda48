// The wall clock stepping under the recording, with an injected clock (the kernel's own clocks
// cannot be stepped in a test; test/app/clock-step.test.ts steps the real daemon's with
// libfaketime): real segment files whose modification times follow the stepped clock, as the
// kernel stamps them, a real index and ledger in SQLite.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockSteps } from '../../src/buffer/clock-steps.ts';
import { Recording } from '../../src/buffer/recording.ts';
import { validateConfig } from '../../src/config/load.ts';
import { EventBus, type GatewayEvents } from '../../src/core/events.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import { AvailabilityStore } from '../../src/telemetry/availability-store.ts';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const T0 = Date.parse('2026-12-06T10:00:00Z');

const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) c();
  await Promise.resolve();
});

/** A clock the test moves: `advance` moves both, `step` only the wall clock. */
function fakeTime() {
  const t = { wall: T0, mono: 5_000_000 };
  return {
    source: { wallMs: () => t.wall, monoMs: () => t.mono },
    advance(ms: number) {
      t.wall += ms;
      t.mono += ms;
    },
    step(ms: number) {
      t.wall += ms;
    },
    get wall() {
      return t.wall;
    },
  };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'egw-clock-'));
  const cfg = validateConfig(
    {
      site: { id: 's', name: 'S' },
      destinations: [{ id: 'national', url: 'rtmp://127.0.0.1:1/live/{cameraId}' }],
      recording: { dir: join(dir, 'spool'), segmentSeconds: 2, minFreeMb: 0 },
      store: { path: join(dir, 'g.db') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
    },
    'test',
  );
  const db: Db = openStore(cfg.store.path);
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, cfg, db };
}

function clockOn(db: Db, time: ReturnType<typeof fakeTime>, bootId: string, events = new EventBus()) {
  const clock = new ClockSteps({ db, events, logger: silentLogger, time: time.source, bootId: () => bootId });
  cleanups.push(() => void clock.stop());
  return clock;
}

/** A camera whose "ffmpeg" is the test: each close() writes a 2 s segment stamped by the fake wall clock. */
function camera(dir: string, recording: Recording, time: ReturnType<typeof fakeTime>) {
  const hooks = recording.hooks('cam');
  const runId = 'run1';
  hooks.onRun(runId);
  const camDir = join(dir, 'spool', 'cam');
  mkdirSync(camDir, { recursive: true });
  let stream = 0;
  return {
    /** ffmpeg closes the segment it opened 2 s ago: its list line, its mtime from the wall clock now. */
    close(mtime = time.wall) {
      const file = `${runId}-${Math.floor((mtime - 2000) / 1000)}.ts`;
      writeFileSync(join(camDir, file), Buffer.alloc(1880, stream));
      utimesSync(join(camDir, file), mtime / 1000, mtime / 1000);
      appendFileSync(join(camDir, `${runId}.csv`), `${file},${stream},${stream + 2}\n`);
      stream += 2;
    },
  };
}

/** One segment indexed at T0. */
function addOne(repo: SpoolRepo, dir: string): void {
  repo.addSegment({
    cameraId: 'cam',
    path: join(dir, 'a.ts'),
    startMs: T0,
    endMs: T0 + 2000,
    bytes: 1,
    sha256: 'x',
    recovered: false,
  });
}

describe('clock steps under the recording', () => {
  it('stepped back a day: the index and ledger of this boot move with it and stay continuous', async () => {
    const { dir, cfg, db } = setup();
    const time = fakeTime();
    const events = new EventBus();
    const steps: GatewayEvents['clock.step'][] = [];
    events.on('clock.step', (e) => steps.push(e));
    const repo = new SpoolRepo(db);
    // A segment of an earlier boot: not this boot's timebase, never moved.
    writeFileSync(join(dir, 'old.ts'), 'x');
    repo.addSegment({
      cameraId: 'old',
      path: join(dir, 'old.ts'),
      startMs: T0 - 3 * DAY,
      endMs: T0 - 3 * DAY + 2000,
      bytes: 1,
      sha256: 'x',
      recovered: false,
    });
    const clock = clockOn(db, time, 'boot-1', events);
    await clock.start();
    const recording = new Recording({ cfg, db, logger: silentLogger, events, clock });
    await recording.start(new AbortController().signal);
    cleanups.push(() => void recording.stop());
    const cam = camera(dir, recording, time);

    for (let i = 0; i < 3; i++) {
      time.advance(2000);
      cam.close();
      recording.indexNew();
    }
    repo.openOutage('cam', 'national', 'uplink', time.wall - 3000);
    const availability = new AvailabilityStore(db);
    availability.record('cam', 'national', false, new Date(time.wall - 3000).toISOString());
    availability.record('old', 'national', true, new Date(T0 - 3 * DAY).toISOString());
    repo.addLost({
      cameraId: 'cam',
      destinationId: null,
      startMs: T0,
      endMs: T0 + 1000,
      reason: 'x',
      detail: null,
    });
    // The segment closes, then the clock steps back a day before the index looks at it.
    time.advance(2000);
    cam.close();
    time.advance(300);
    time.step(-DAY);
    const steppedAt = time.wall;
    recording.indexNew();
    // Recording goes on in the new timebase.
    for (let i = 0; i < 3; i++) {
      time.advance(1700);
      cam.close();
      recording.indexNew();
      time.advance(300);
    }

    expect(steps).toEqual([{ deltaMs: -DAY, at: new Date(steppedAt).toISOString(), whileStopped: false }]);
    const segs = repo.complete('cam');
    expect(segs).toHaveLength(7);
    // Continuous in the stream: each starts where the last ended, all in the new timebase.
    for (let i = 1; i < segs.length; i++)
      expect(Math.abs(segs[i]!.startMs - segs[i - 1]!.endMs)).toBeLessThan(50);
    expect(segs[0]!.startMs).toBe(T0 - DAY);
    expect(segs.at(-1)!.endMs).toBeLessThanOrEqual(time.wall);
    expect(repo.complete('old')[0]!.startMs).toBe(T0 - 3 * DAY);
    const [outage] = repo.outages();
    expect(outage!.startMs).toBe(T0 + 6000 - 3000 - DAY);
    expect(repo.lost()[0]).toMatchObject({ startMs: T0 - DAY, endMs: T0 + 1000 - DAY });
    expect(db.prepare('SELECT camera_id, at FROM destination_states ORDER BY camera_id').all()).toEqual([
      { camera_id: 'cam', at: new Date(T0 + 6000 - 3000 - DAY).toISOString() },
      { camera_id: 'old', at: new Date(T0 - 3 * DAY).toISOString() },
    ]);
  });

  it('stepped forward a year while the daemon was stopped: found at start and re-dated once', async () => {
    const { dir, cfg, db } = setup();
    const time = fakeTime();
    const repo = new SpoolRepo(db);
    void clockOn(db, time, 'boot-1').start();
    addOne(repo, dir);
    // The segment closed just before the stop, listed but not indexed yet: stamped in the old timebase.
    const camDir = join(dir, 'spool', 'cam');
    mkdirSync(camDir, { recursive: true });
    writeFileSync(join(dir, 'a.ts'), '');
    writeFileSync(join(camDir, 'run0-1.ts'), Buffer.alloc(1880));
    utimesSync(join(camDir, 'run0-1.ts'), (T0 + 4000) / 1000, (T0 + 4000) / 1000);
    writeFileSync(join(camDir, 'run0.csv'), 'run0-1.ts,2,4\n');
    time.advance(60_000);
    time.step(YEAR);
    const events = new EventBus();
    const steps: GatewayEvents['clock.step'][] = [];
    events.on('clock.step', (e) => steps.push(e));
    const clock = clockOn(db, time, 'boot-1', events);
    await clock.start();
    expect(steps.map((s) => [s.deltaMs, s.whileStopped])).toEqual([[YEAR, true]]);
    expect(repo.complete()[0]).toMatchObject({ startMs: T0 + YEAR, endMs: T0 + YEAR + 2000 });
    // The spool reconciled at start dates that segment in the present timebase too.
    const recording = new Recording({ cfg, db, logger: silentLogger, events, clock });
    await recording.start(new AbortController().signal);
    cleanups.push(() => void recording.stop());
    expect(repo.complete().map((x) => [x.startMs - T0 - YEAR, x.endMs - T0 - YEAR])).toEqual([
      [0, 2000],
      [2000, 4000],
    ]);
    // The same boot starting again without a step moves nothing.
    void clockOn(db, time, 'boot-1', events).start();
    expect(steps).toHaveLength(1);
    expect(repo.complete()[0]!.startMs).toBe(T0 + YEAR);
  });

  it('a new boot is a new timebase: what an earlier boot recorded keeps its times', () => {
    const { dir, db } = setup();
    const time = fakeTime();
    const repo = new SpoolRepo(db);
    void clockOn(db, time, 'boot-1').start();
    addOne(repo, dir);
    time.step(7 * DAY);
    const clock = clockOn(db, time, 'boot-2');
    void clock.start();
    time.advance(1000);
    time.step(DAY);
    expect(clock.check()?.deltaMs).toBe(DAY);
    expect(repo.complete()[0]!.startMs).toBe(T0);
  });
});
