// Supervises one ffmpeg by its output, not its PID: a process that makes no progress for
// stallMs is restarted, and so is any exit (losing a camera exits with code 0). Restarts back
// off in steps with jitter; a generation counter makes stale timers and exits harmless. A camera
// that refuses the login is not asked again until its hold allows (camera-login.ts), and a part that
// failed failingAfter times in a row is `failing` and retries at the slowest step.
import { Backoff, backoffDelay, type Clock } from '../core/backoff.ts';
import { monoNow } from '../core/clock.ts';
import { FailureStreak } from '../core/failure-streak.ts';
import type { SupervisedState } from '../core/status.ts';
import type { Logger } from '../log/logger.ts';
import type { ExitInfo, Progress, RunningFfmpeg } from './ffmpeg-process.ts';
import { everySecond } from './watchdog-clock.ts';

export type { SupervisedState };

export interface SupervisorOptions {
  spawn: () => RunningFfmpeg;
  stallMs: number;
  graceMs: number;
  backoffMs: number[];
  stopTimeoutMs: number;
  logger: Logger;
  /** False while the process cannot be blamed for a lack of progress (its camera is down). */
  judge?: () => boolean;
  /** Another sign of a stall beyond ffmpeg's own progress (e.g. nothing acknowledged upstream): a reason, or null. */
  stallCheck?: (pid: number | null, stallMs: number) => { reason: string; lastGoodAt: number } | null;
  onLaunch?: () => void;
  /** Why it failed, in words, from its last error lines (a destination it could not open), or null. */
  explain?: (tail: string[]) => string | null;
  onStateChange?: (state: SupervisedState, previous: SupervisedState) => void;
  /** Failures in a row before the part is failing (0: never). */
  failingAfter?: number;
  /** The part entered or left `failing`, with its failures in a row and the last reason. */
  onFailing?: (failing: boolean, failures: number, reason: string | null) => void;
  /** The camera's login, when this process pulls a camera: a refusal holds the next launch. */
  login?: LoginGate;
  random?: () => number;
  clock?: Clock;
}

/** What the supervisor asks of a camera's login rule (camera-login.ts). */
export interface LoginGate {
  /** The login refusal these error lines report ('401 Unauthorized'), or null. */
  refusal(lines: string[]): string | null;
  /** The camera refused the login: counted against the hold. */
  refused(refusal: string): void;
  /** Tells of the refusal, once the supervisor shows it (the retained status reads it). */
  announce(refusal: string): void;
  /** The camera took the login (the process delivered). */
  accepted(): void;
  /** How long a launch must wait (ms; Infinity: until the credentials change), or null: not held. */
  waitMs(): number | null;
  /** When the next login is allowed, monotonic ms (null: once the credentials change). */
  retryAt(): number | null;
}

export interface SupervisorStatus {
  state: SupervisedState;
  fps: number | null;
  kbps: number | null;
  lastFrameAgeMs: number | null;
  restartsLastHour: number;
  /** Since the daemon started: a counter for /metrics. */
  restartsTotal: number;
  uptimeMs: number | null;
  lastError: string | null;
  pid: number | null;
  /** When this part last verifiably delivered (its last progress, or what the peer proved it read). */
  deliveredUntil: number | null;
  /** Failures in a row (0 once it delivers). */
  failures: number;
  /** Since when it is failing (failingAfter failures in a row), or null. */
  failingSince: number | null;
  /** auth-failed: when the next login is allowed, monotonic ms (null: once the credentials change). */
  retryAt?: number | null;
  /**
   * How much of the stream, ms, the peer may hold unread beyond `deliveredUntil`: the receive
   * window it last advertised (TCP destinations; null when unknown).
   */
  windowMs?: number | null;
}

const HOUR = 3_600_000;
/** Live this long and the back-off starts again from its first step. */
const STABLE_MS = 60_000;

export class Supervisor {
  private state: SupervisedState = 'stopped';
  private generation = 0;
  private proc: RunningFfmpeg | null = null;
  private restarts: number[] = [];
  private readonly backoff: Backoff;
  private restartsTotal = 0;
  private startedAt = 0;
  private liveSince: number | null = null;
  private lastAdvanceAt = 0;
  private last: Progress | null = null;
  private fps: number | null = null;
  private kbps: number | null = null;
  private lastError: string | null = null;
  private deliveredUntil: number | null = null;
  /** Ends this supervisor's once-a-second check; null when not started or stopped. */
  private stopWatchdog: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly clock: Clock;
  private readonly streak: FailureStreak;

  constructor(private readonly opts: SupervisorOptions) {
    // Durations on the monotonic clock: a wall-clock step must not stall or restart anything.
    const base = opts.clock ?? { now: monoNow, random: Math.random };
    this.clock = { now: base.now, random: opts.random ?? base.random };
    this.backoff = new Backoff(opts.backoffMs, this.clock);
    this.streak = new FailureStreak(opts.failingAfter ?? 0);
  }

  start(): void {
    if (this.running()) return;
    // Once a second: stalls are judged in tens of seconds.
    this.stopWatchdog = everySecond(() => this.tick());
    this.launch();
  }

  /** Restart now, without counting a failure (e.g. its source restarted). */
  async restartNow(reason: string): Promise<void> {
    if (!this.running()) return;
    this.opts.logger.info({ reason }, 'restarting');
    const old = this.proc;
    const gen = ++this.generation;
    this.proc = null;
    if (old) await old.terminate(this.opts.stopTimeoutMs);
    // Another restart, stall or stop came in meanwhile: it owns the next launch.
    if (this.running() && gen === this.generation) this.launch();
  }

  async stop(): Promise<void> {
    this.stopWatchdog?.();
    if (this.retry) clearTimeout(this.retry);
    this.stopWatchdog = this.retry = null;
    this.generation++;
    const proc = this.proc;
    this.proc = null;
    this.setState('stopped');
    if (proc) await proc.terminate(this.opts.stopTimeoutMs);
  }

  private running(): boolean {
    return this.stopWatchdog !== null;
  }

  status(now = this.clock.now()): SupervisorStatus {
    this.restarts = this.restarts.filter((t) => t > now - HOUR);
    const live = this.state === 'live';
    return {
      state: this.state,
      fps: live ? this.fps : null,
      kbps: live ? this.kbps : null,
      lastFrameAgeMs: this.last ? now - this.lastAdvanceAt : null,
      restartsLastHour: this.restarts.length,
      restartsTotal: this.restartsTotal,
      uptimeMs: this.liveSince !== null && live ? now - this.liveSince : null,
      lastError: this.lastError,
      pid: this.proc?.pid ?? null,
      deliveredUntil: this.deliveredUntil,
      failures: this.streak.failures,
      failingSince: this.streak.failingSince,
      ...(this.state === 'auth-failed' ? { retryAt: this.opts.login?.retryAt() ?? null } : {}),
    };
  }

  private setState(next: SupervisedState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.opts.onStateChange?.(next, prev);
  }

  private launch(): void {
    const gen = ++this.generation;
    const now = this.clock.now();
    const wait = this.opts.login?.waitMs() ?? null;
    if (wait !== null && wait > 0) return this.hold(gen, wait);
    this.startedAt = this.lastAdvanceAt = now;
    this.last = null;
    this.liveSince = null;
    this.setState('starting');
    const proc = this.opts.spawn();
    this.proc = proc;
    proc.onProgress((p) => gen === this.generation && this.onProgress(p));
    void proc.exited.then(
      (info) => gen === this.generation && this.fail(`ffmpeg exited (${describeExit(info)})`, info.tail),
    );
    this.opts.onLaunch?.();
  }

  private onProgress(p: Progress): void {
    const prev = this.last;
    this.last = p;
    const advanced =
      !prev || p.frame > prev.frame || p.totalSize > prev.totalSize || p.outTimeUs > prev.outTimeUs;
    if (!advanced || p.frame === 0) return;
    if (prev) {
      const dt = (p.at - prev.at) / 1000;
      if (dt > 0) {
        this.fps = Math.round(((p.frame - prev.frame) / dt) * 10) / 10;
        this.kbps = p.totalSize > 0 ? Math.round(((p.totalSize - prev.totalSize) * 8) / dt / 1000) : null;
      }
    }
    this.lastAdvanceAt = this.deliveredUntil = p.at;
    if (this.state !== 'live') {
      this.liveSince = p.at;
      this.opts.login?.accepted();
      this.setState('live');
      if (this.streak.succeeded() === 'cleared') this.opts.onFailing?.(false, 0, null);
    } else if (this.liveSince !== null && p.at - this.liveSince > STABLE_MS) {
      this.backoff.reset();
    }
  }

  private tick(): void {
    const now = this.clock.now();
    if (this.state !== 'starting' && this.state !== 'live') return;
    if (this.opts.judge && !this.opts.judge()) {
      // Not this process's fault: hold the clocks so it is judged from when it can deliver.
      this.startedAt = this.lastAdvanceAt = now;
      return;
    }
    if (this.state === 'starting' && now - this.startedAt > this.opts.graceMs) {
      this.fail(`no frames within ${this.opts.graceMs / 1000} s of starting`, this.proc?.tail() ?? []);
    } else if (this.state === 'live' && now - this.lastAdvanceAt > this.opts.stallMs) {
      this.setState('stalled');
      this.fail(
        `stalled: no progress for ${Math.round((now - this.lastAdvanceAt) / 1000)} s`,
        this.proc?.tail() ?? [],
      );
    } else if (this.state === 'live') {
      const stall = this.opts.stallCheck?.(this.proc?.pid ?? null, this.opts.stallMs) ?? null;
      if (stall) {
        // Progress after the last acknowledgement was only bytes handed to the kernel, never delivered.
        this.deliveredUntil = Math.min(this.deliveredUntil ?? stall.lastGoodAt, stall.lastGoodAt);
        this.setState('stalled');
        this.fail(`stalled: ${stall.reason}`, this.proc?.tail() ?? []);
      }
    }
  }

  private fail(why: string, tail: string[]): void {
    if (!this.running()) return;
    const gen = ++this.generation;
    const proc = this.proc;
    this.proc = null;
    const now = this.clock.now();
    const refusal = this.opts.login?.refusal(tail) ?? null;
    const reason = refusal
      ? `the camera refused the login (RTSP ${refusal})`
      : (this.opts.explain?.(tail) ?? why);
    if (refusal) this.opts.login?.refused(refusal);
    this.lastError = reason;
    this.restarts.push(now);
    this.restartsTotal++;
    if (this.streak.failed(now) === 'entered') this.opts.onFailing?.(true, this.streak.failures, reason);
    // Failing: no point in the short steps any more; the slowest one, still with its jitter.
    const steps = this.opts.backoffMs;
    const delay = this.streak.failing
      ? backoffDelay(steps, steps.length - 1, this.clock.random)
      : this.backoff.next();
    this.opts.logger.warn(
      {
        reason,
        stderr: tail,
        retryInMs: delay,
        failures: this.streak.failures,
        failing: this.streak.failing,
      },
      'ffmpeg failed',
    );
    void proc?.terminate(this.opts.stopTimeoutMs);
    const wait = refusal ? (this.opts.login?.waitMs() ?? null) : null;
    if (wait !== null && wait > delay) this.hold(gen, wait);
    else this.retryIn(gen, delay, 'backing-off');
    if (refusal) this.opts.login?.announce(refusal);
  }

  /** The camera refused these credentials: no login until its hold allows one, whatever the back-off says. */
  private hold(gen: number, waitMs: number): void {
    // Checked again then, and at least hourly; a change of credentials is a new relay.
    this.retryIn(gen, Math.min(waitMs, HOUR), 'auth-failed');
  }

  private retryIn(gen: number, delay: number, state: SupervisedState): void {
    this.setState(state);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (gen === this.generation && this.running()) this.launch();
    }, delay);
  }
}

function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}
