// The supervisor against real ffmpeg processes: judged by their output, restarted on any exit.
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../../src/log/logger.ts';
import { runFfmpeg, type RunningFfmpeg } from '../../src/relay/ffmpeg-process.ts';
import { Supervisor, type SupervisorOptions } from '../../src/relay/supervisor.ts';
import { alive, waitFor } from '../support/wait.ts';

const GLOBAL = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-stats_period',
  '0.5',
  '-progress',
  'pipe:1',
];

/** A real ffmpeg producing frames in real time, optionally ending by itself after `seconds`. */
function testSource(seconds?: number): RunningFfmpeg {
  return runFfmpeg({
    input: 'testsrc2=size=160x120:rate=10',
    inputOptions: [...GLOBAL, '-re', '-f', 'lavfi', ...(seconds ? ['-t', String(seconds)] : [])],
    output: '-',
    outputOptions: ['-c:v', 'rawvideo', '-f', 'null'],
  });
}

const supervisors: Supervisor[] = [];
function supervise(over: Partial<SupervisorOptions> = {}): Supervisor {
  const s = new Supervisor({
    spawn: () => testSource(),
    stallMs: 1500,
    graceMs: 5000,
    backoffMs: [200, 400],
    stopTimeoutMs: 1000,
    logger: silentLogger,
    ...over,
  });
  supervisors.push(s);
  s.start();
  return s;
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

describe('Supervisor', () => {
  it('goes live once frames flow and reports their rate', async () => {
    const s = supervise();
    await waitFor(() => s.status().state === 'live' && s.status().fps, 'live with a frame rate');
    const st = s.status();
    // A 10 fps source: the measured rate is in its neighbourhood (not a timing threshold: a rate read off the stream).
    expect(st.fps).toBeGreaterThan(2);
    expect(st.fps).toBeLessThan(30);
    expect(st.restartsLastHour).toBe(0);
  });

  it('restarts an ffmpeg killed by hand, counting the restart', async () => {
    const s = supervise();
    const first = await waitFor(() => s.status().state === 'live' && s.status().pid, 'first pid');
    process.kill(first, 'SIGKILL');
    const second = await waitFor(
      () => s.status().state === 'live' && s.status().pid !== first && s.status().pid,
      'a new live pid',
    );
    expect(second).not.toBe(first);
    expect(s.status().restartsLastHour).toBe(1);
    expect(s.status().lastError).toMatch(/signal SIGKILL/);
  });

  it('treats a clean exit (code 0, as when a camera goes away) as a failure', async () => {
    const s = supervise({ spawn: () => testSource(1) });
    await waitFor(() => s.status().restartsLastHour >= 1, 'a restart after exit 0');
    expect(s.status().lastError).toMatch(/code 0/);
  });

  it('restarts a process that is alive but makes no progress', async () => {
    const s = supervise();
    const frozen = await waitFor(() => s.status().state === 'live' && s.status().pid, 'live pid');
    process.kill(frozen, 'SIGSTOP');
    await waitFor(
      () => s.status().state === 'live' && s.status().pid !== frozen,
      'a fresh live process',
      15_000,
    );
    expect(s.status().lastError).toMatch(/stalled: no progress/);
    // The frozen one was ended (SIGKILL after SIGTERM could not reach a stopped process).
    await waitFor(() => !alive(frozen), 'the frozen process to be gone');
  });

  it('does not blame a process while judge() says it cannot deliver', async () => {
    let blame = false;
    const s = supervise({ judge: () => blame });
    const pid = await waitFor(() => s.status().state === 'live' && s.status().pid, 'live pid');
    process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500));
    expect(s.status().pid).toBe(pid);
    expect(s.status().restartsLastHour).toBe(0);
    blame = true;
    await waitFor(() => s.status().pid !== pid && s.status().state === 'live', 'restart once blamed');
  });

  it('leaves no process behind when stopped', async () => {
    const s = supervise();
    const pid = await waitFor(() => s.status().pid, 'a pid');
    await s.stop();
    expect(alive(pid)).toBe(false);
    expect(s.status().state).toBe('stopped');
  });

  it('backs off in growing steps, the last repeating, with the jitter it is given', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) });
    let attempts = 0;
    const s = supervise({
      backoffMs: [300, 900],
      // Jitter is +-20 % of the step; 0.5 puts it at the middle, so the delays are exact.
      random: () => 0.5,
      logger: createLogger({ level: 'warn', destination: sink }),
      spawn: () => {
        attempts++;
        return runFfmpeg({
          input: 'nonexistent-filter-xyz',
          inputOptions: [...GLOBAL, '-f', 'lavfi'],
          output: '-',
          outputOptions: ['-f', 'null'],
        });
      },
    });
    await waitFor(() => attempts >= 4, 'four attempts', 15_000);
    await s.stop();
    const delays = lines
      .map((l) => (JSON.parse(l) as { retryInMs?: number }).retryInMs)
      .filter((d) => d !== undefined);
    expect(delays.slice(0, 3)).toEqual([300, 900, 900]);
    expect(s.status().restartsLastHour).toBeGreaterThanOrEqual(3);
  });
});
