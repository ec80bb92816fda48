// How the relay judges a camera's recording (a slave of its tee) from what reaches the disk.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { RecordingWatch, type RecorderHooks } from '../../src/relay/recording-watch.ts';

function rig() {
  const t = { now: 1_000_000, wrote: null as number | null, paused: null as string | null, live: true };
  const calls = { restarts: [] as string[], interrupted: [] as string[], runs: [] as string[] };
  const hooks: RecorderHooks = {
    dir: '/spool/cam/writing',
    segmentSeconds: 2,
    paused: () => t.paused,
    onRun: (id) => calls.runs.push(id),
    lastWriteAt: () => t.wrote,
    onInterrupted: (r) => calls.interrupted.push(r),
  };
  const watch = new RecordingWatch({
    hooks,
    stallMs: 4000,
    graceMs: 5000,
    backoffMs: [1000, 30_000],
    logger: silentLogger,
    cameraLive: () => t.live,
    random: () => 0.5,
    restartCamera: (r) => {
      calls.restarts.push(`${t.now} ${r}`);
      watch.onLaunch(t.now);
      return Promise.resolve();
    },
  });
  /** Seconds pass; the recording writes each second while `writing`. */
  const run = (seconds: number, writing: boolean) => {
    for (let i = 0; i < seconds; i++) {
      t.now += 1000;
      if (writing) t.wrote = t.now;
      watch.tick(t.now);
    }
  };
  watch.onLaunch(t.now);
  return { t, calls, watch, run };
}

describe('recording watch', () => {
  it('is live while segments reach the disk, and a new camera process starts a new run', () => {
    const { calls, watch, run } = rig();
    expect(watch.status().state).toBe('starting');
    run(3, true);
    expect(watch.status().state).toBe('live');
    expect(calls.runs).toHaveLength(1);
    expect(calls.restarts).toEqual([]);
  });

  it('restarts the camera process when nothing is recorded for stallSeconds while the camera delivers', () => {
    const { t, calls, watch, run } = rig();
    run(3, true);
    const stalledAt = t.now;
    run(4, false);
    expect(watch.status().state).toBe('live');
    run(1, false);
    expect(calls.restarts).toHaveLength(1);
    expect(calls.interrupted).toHaveLength(1);
    expect(t.now - stalledAt).toBeLessThanOrEqual(5000);
    // The new process records again: live, and the back-off starts from its first step.
    run(2, true);
    expect(watch.status(t.now)).toMatchObject({ state: 'live', restartsLastHour: 1 });
  });

  it('backs off between restarts that do not help', () => {
    const { calls, run } = rig();
    run(3, true);
    run(60, false);
    // Restarts at 8 s (stall), 16 s (grace and a segment, then the first 1 s step), 46 s (30 s step).
    expect(calls.restarts.map((r) => (Number(r.split(' ')[0]) - 1_000_000) / 1000)).toEqual([8, 16, 46]);
    expect(calls.interrupted.length).toBeGreaterThanOrEqual(1);
  });

  it('does not blame the recording while its camera is down', () => {
    const { t, calls, watch, run } = rig();
    run(3, true);
    t.live = false;
    run(30, false);
    expect(calls.restarts).toEqual([]);
    t.live = true;
    run(2, true);
    expect(watch.status().state).toBe('live');
  });

  it('pauses on a full disk without touching the camera, accounts the gap, and resumes', () => {
    const { t, calls, watch, run } = rig();
    run(3, true);
    t.paused = 'disk full (4 MB free)';
    run(30, false);
    expect(watch.status()).toMatchObject({ state: 'backing-off', lastError: 'disk full (4 MB free)' });
    expect(calls.interrupted).toEqual(['disk full (4 MB free)']);
    expect(calls.restarts).toEqual([]);
    t.paused = null;
    run(2, true);
    expect(watch.status().state).toBe('live');
    expect(calls.restarts).toEqual([]);
  });
});
