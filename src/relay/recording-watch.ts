// Judges the local recording, a slave of the camera's tee, by what reaches the disk: segments
// closing in the run's list and the open segment growing (RecorderHooks.lastWriteAt). Paused while
// the spool cannot take more (the hooks say why). A recording that stops while its camera
// delivers and the disk is fine is a wedged writer: only a new camera process clears it, at the
// cost of a few seconds of the live relay, so those restarts back off.
import { monoNow } from '../core/clock.ts';
import { Backoff, backoffDelay } from '../core/backoff.ts';
import { FailureStreak } from '../core/failure-streak.ts';
import type { LostReason } from '../core/accounting.ts';
import type { Logger } from '../log/logger.ts';
import type { SupervisedState, SupervisorStatus } from './supervisor.ts';

export interface RecorderHooks {
  /** Where ffmpeg writes this camera's segments (a link the spool removes while recording is paused). */
  dir: string;
  segmentSeconds: number;
  /** Why recording is paused now (disk full, spool unusable), or null. */
  paused: () => string | null;
  /** A camera process started: its segments are `${runId}-<second opened>.ts`, listed in `${runId}.csv` as they close. */
  onRun: (runId: string) => void;
  /** When the camera's recording last reached the disk (a segment closed or the open one grew), or null. */
  lastWriteAt: () => number | null;
  /**
   * Recording stopped for a reason that is not the camera (`detail` says which): the gap to the
   * next segment is accounted as lost, as `reason` (default `not-recorded`).
   */
  onInterrupted: (detail: string, reason?: LostReason) => void;
}

export interface RecordingWatchOptions {
  hooks: RecorderHooks;
  stallMs: number;
  graceMs: number;
  backoffMs: number[];
  logger: Logger;
  /** Whether the camera delivers: a recording is not judged while its camera is down. */
  cameraLive: () => boolean;
  /** Start a new camera process (the only cure for a wedged recording). */
  restartCamera: (reason: string) => Promise<void>;
  onStateChange?: (state: SupervisedState, previous: SupervisedState) => void;
  /** Stalls in a row before the recording is failing (0: never). */
  failingAfter?: number;
  onFailing?: (failing: boolean, failures: number, reason: string | null) => void;
  random?: () => number;
}

const HOUR = 3_600_000;
const STABLE_MS = 60_000;

export class RecordingWatch {
  private state: SupervisedState = 'stopped';
  private runId: string | null = null;
  /** Judged from here: the launch, or the last moment the camera or the disk was not ready. */
  private since = 0;
  private lastWrite: number | null = null;
  private liveSince: number | null = null;
  private lastError: string | null = null;
  private restarts: number[] = [];
  private restartsTotal = 0;
  private readonly backoff: Backoff;
  /** No restart for the recording's sake before this (the back-off after the last one). */
  private nextRestartAt = 0;
  private readonly streak: FailureStreak;

  constructor(private readonly opts: RecordingWatchOptions) {
    this.streak = new FailureStreak(opts.failingAfter ?? 0);
    this.backoff = new Backoff(opts.backoffMs, {
      now: monoNow,
      random: opts.random ?? Math.random,
    });
  }

  /** A new camera process: a new run of segments. */
  onLaunch(now = monoNow()): void {
    // Named by the wall clock: unique across boots, which the monotonic clock is not.
    this.runId = String(Date.now());
    this.opts.hooks.onRun(this.runId);
    this.since = now;
    this.lastWrite = null;
    this.liveSince = null;
    this.setState('starting');
  }

  get run(): string | null {
    return this.runId;
  }

  stop(): void {
    this.setState('stopped');
  }

  tick(now = monoNow()): void {
    if (this.state === 'stopped') return;
    const paused = this.opts.hooks.paused();
    if (paused || !this.opts.cameraLive()) {
      // Not the recorder's fault: judged again from when it can record.
      this.since = now;
      if (paused) {
        if (this.state !== 'backing-off') this.opts.hooks.onInterrupted(paused);
        this.lastError = paused;
        this.setState('backing-off');
      } else if (this.state === 'backing-off') this.setState('starting');
      return;
    }
    if (this.state === 'backing-off') this.setState('starting');
    const wrote = this.opts.hooks.lastWriteAt();
    if (wrote !== null && wrote > this.since && (this.lastWrite === null || wrote > this.lastWrite)) {
      this.lastWrite = wrote;
      if (this.state !== 'live') {
        this.liveSince = now;
        this.setState('live');
        if (this.streak.succeeded() === 'cleared') this.opts.onFailing?.(false, 0, null);
      } else if (this.liveSince !== null && now - this.liveSince > STABLE_MS) this.backoff.reset();
      return;
    }
    const quiet = now - Math.max(this.since, this.lastWrite ?? 0);
    // The first segment can take a whole segment (and a key frame) before its list line.
    const allowed =
      this.state === 'live' ? this.opts.stallMs : this.opts.graceMs + this.opts.hooks.segmentSeconds * 1000;
    if (quiet > allowed) this.fail(now, `nothing recorded for ${Math.round(quiet / 1000)} s`);
  }

  private fail(now: number, reason: string): void {
    if (this.state !== 'stalled') {
      this.lastError = reason;
      this.opts.logger.warn({ reason }, 'recording stalled while the camera delivers');
      this.opts.hooks.onInterrupted(reason);
      this.setState('stalled');
    }
    // The first restart at once; each one after that waits its step of the back-off.
    if (now < this.nextRestartAt) return;
    if (this.streak.failed(now) === 'entered') this.opts.onFailing?.(true, this.streak.failures, reason);
    // Failing: every restart costs the live relay a cut, so only at the slowest step.
    const steps = this.opts.backoffMs;
    this.nextRestartAt =
      now +
      (this.streak.failing
        ? backoffDelay(steps, steps.length - 1, this.opts.random ?? Math.random)
        : this.backoff.next());
    this.restarts.push(now);
    this.restartsTotal++;
    void this.opts.restartCamera(`recording stalled: ${reason}`);
  }

  private setState(next: SupervisedState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.opts.onStateChange?.(next, prev);
  }

  status(now = monoNow()): SupervisorStatus {
    this.restarts = this.restarts.filter((t) => t > now - HOUR);
    const live = this.state === 'live';
    return {
      state: this.state,
      fps: null,
      kbps: null,
      lastFrameAgeMs: this.lastWrite !== null ? now - this.lastWrite : null,
      restartsLastHour: this.restarts.length,
      restartsTotal: this.restartsTotal,
      uptimeMs: live && this.liveSince !== null ? now - this.liveSince : null,
      lastError: this.lastError,
      pid: null,
      deliveredUntil: this.lastWrite,
      failures: this.streak.failures,
      failingSince: this.streak.failingSince,
    };
  }
}
