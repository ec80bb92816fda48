// The supervisor's state machine with an injected clock and fake timers (no ffmpeg): failures in a
// row make it `failing` (one alarm, then the slowest step), a success clears it; a camera that
// refuses the login is held in `auth-failed` and asked again only as the hold allows (issue 12).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthHolds } from '../../src/core/auth-holds.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { cameraLogin, rtspRefusal } from '../../src/relay/camera-login.ts';
import type { ExitInfo, Progress, RunningFfmpeg } from '../../src/relay/ffmpeg-process.ts';
import { Supervisor, type SupervisorOptions } from '../../src/relay/supervisor.ts';

const HOUR = 3_600_000;
const REFUSED = '[rtsp @ 0x55d0] method DESCRIBE failed: 401 Unauthorized';

/** A process that does what the test says: exits with these lines, or reports frames. */
class FakeProcess implements RunningFfmpeg {
  readonly pid = 4242;
  readonly commandLine = 'ffmpeg';
  private progress: ((p: Progress) => void)[] = [];
  private end!: (e: ExitInfo) => void;
  readonly exited = new Promise<ExitInfo>((r) => (this.end = r));
  onProgress(l: (p: Progress) => void): void {
    this.progress.push(l);
  }
  onStderr(): void {}
  tail(): string[] {
    return [];
  }
  terminate(): Promise<void> {
    this.exit([]);
    return Promise.resolve();
  }
  exit(tail: string[]): void {
    this.end({ code: 1, signal: null, tail });
  }
  frames(frame: number): void {
    for (const l of this.progress)
      l({ frame, totalSize: frame * 1000, outTimeUs: frame * 40_000, at: Date.now() });
  }
}

let procs: FakeProcess[] = [];
const supervisors: Supervisor[] = [];
const clock = { now: () => Date.now(), random: () => 0.5 };

function supervise(over: Partial<SupervisorOptions> = {}): Supervisor {
  const s = new Supervisor({
    spawn: () => {
      const p = new FakeProcess();
      procs.push(p);
      return p;
    },
    stallMs: 10_000,
    graceMs: 20_000,
    backoffMs: [1000, 2000, 5000, 60_000],
    stopTimeoutMs: 1000,
    logger: silentLogger,
    clock,
    ...over,
  });
  supervisors.push(s);
  s.start();
  return s;
}

/** The last process ends with `tail`; the supervisor's reaction runs. */
async function lastExits(tail: string[] = ['Connection refused']): Promise<void> {
  procs.at(-1)!.exit(tail);
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-06T00:00:00Z'));
  procs = [];
});

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
  vi.useRealTimers();
});

describe('supervisor: failing', () => {
  it('enters failing once after N failures in a row, retries at the slowest step, and a success clears it', async () => {
    const alarms: [boolean, number][] = [];
    const s = supervise({ failingAfter: 4, onFailing: (on, n) => alarms.push([on, n]) });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await lastExits();
      const t0 = Date.now();
      const before = procs.length;
      while (procs.length === before) await vi.advanceTimersByTimeAsync(100);
      delays.push(Date.now() - t0);
    }
    expect(alarms).toEqual([[true, 4]]);
    expect(s.status().failures).toBe(6);
    expect(s.status().failingSince).not.toBeNull();
    // Steps 1, 2, 5 s; failing from the 4th failure on: the slowest (60 s) every time.
    expect(delays).toEqual([1000, 2000, 5000, 60_000, 60_000, 60_000]);
    procs.at(-1)!.frames(1);
    procs.at(-1)!.frames(2);
    expect(s.status().state).toBe('live');
    expect(alarms).toEqual([
      [true, 4],
      [false, 0],
    ]);
    expect(s.status()).toMatchObject({ failures: 0, failingSince: null });
  });
});

describe('supervisor: a camera that refuses the login', () => {
  it('reads a refusal only from the methods of a pull', () => {
    expect(rtspRefusal([REFUSED])).toBe('401 Unauthorized');
    expect(rtspRefusal(['[rtsp @ 0x1] method SETUP failed: 403 Forbidden'])).toBe('403 Forbidden');
    // A destination refusing our ANNOUNCE is not the camera's account.
    expect(rtspRefusal(['[rtsp @ 0x1] method ANNOUNCE failed: 401 Unauthorized'])).toBe(null);
    expect(rtspRefusal(['Connection refused'])).toBe(null);
  });

  it('holds the camera in auth-failed and asks it at most attemptsPerHour times an hour, spread out', async () => {
    const holds = new AuthHolds(3, clock);
    const told: (number | null)[] = [];
    const s = supervise({
      login: cameraLogin({ holds, host: '10.0.0.5', key: 'k1', onRefused: (_r, at) => told.push(at) }),
    });
    const logins: number[] = [];
    // Three hours (less a minute) of a camera that refuses every login; the back-off alone would ask every minute.
    while (Date.now() < new Date('2026-12-06T02:59:00Z').getTime()) {
      if (procs.length > logins.length) {
        logins.push(Date.now());
        await lastExits([REFUSED]);
        expect(s.status().state).toBe('auth-failed');
        expect(s.status().lastError).toBe('the camera refused the login (RTSP 401 Unauthorized)');
      }
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(logins.length).toBe(9);
    for (let i = 1; i < logins.length; i++)
      expect(logins[i]! - logins[i - 1]!).toBeGreaterThanOrEqual(HOUR / 3);
    expect(told.length).toBe(9);
    expect(s.status().retryAt).toBe(told.at(-1));
  });

  it('does not start a camera whose credentials another module saw refused, and asks at once with new ones', async () => {
    const holds = new AuthHolds(0, clock);
    holds.rejected('10.0.0.5', 'old', 2, 'onvif');
    const held = supervise({
      login: cameraLogin({ holds, host: '10.0.0.5', key: 'old', onRefused: () => {} }),
    });
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(procs.length).toBe(0);
    expect(held.status()).toMatchObject({ state: 'auth-failed', retryAt: null });
    supervise({ login: cameraLogin({ holds, host: '10.0.0.5', key: 'new', onRefused: () => {} }) });
    expect(procs.length).toBe(1);
  });
});
