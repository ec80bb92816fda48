// Notices the wall clock stepping (NTP's first sync on a box without a real-time clock, a box off
// for a week, a bad server) and re-dates what was stamped in the old timebase: the segment index
// and ledger rows of this boot in the store, and, through the `clock.step` event, the times
// modules hold in memory. A step while the daemon was stopped is found at start by comparing the
// boot's stored offset between the two clocks.
import { readFileSync } from 'node:fs';
import {
  StepWatch,
  offsetOf,
  redate,
  stepBetween,
  systemTime,
  type ClockStep,
  type TimeSource,
} from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Module } from '../core/module.ts';
import type { Logger } from '../log/logger.ts';
import { everySecond } from '../relay/watchdog-clock.ts';
import { ClockEpochRepo, type ClockEpoch } from '../store/clock-epoch.ts';
import type { Db } from '../store/db.ts';

/** A file closed this long before a step was noticed can still carry a time of the old timebase. */
const REDATE_WINDOW_MS = 60_000;

export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    // No procfs: every start is taken as a new boot, so nothing of an earlier run is moved.
    return `unknown-${process.pid}-${Date.now()}`;
  }
}

export interface ClockStepsDeps {
  db: Db;
  events: EventBus;
  logger: Logger;
  time?: TimeSource;
  bootId?: () => string;
}

export class ClockSteps implements Module {
  readonly name = 'clock';
  private readonly time: TimeSource;
  private readonly watch: StepWatch;
  private epoch: ClockEpoch | null = null;
  private stopClock: (() => void) | null = null;
  private last: ClockStep | null = null;
  /** A step found at start, and the boot's wall time in the timebase before it. */
  private atStart: { deltaMs: number; bootWallBefore: number } | null = null;

  constructor(private readonly deps: ClockStepsDeps) {
    this.time = deps.time ?? systemTime;
    this.watch = new StepWatch(this.time);
  }

  start(): Promise<void> {
    const repo = new ClockEpochRepo(this.deps.db);
    const mono = this.time.monoMs();
    const wall = this.time.wallMs();
    const offset = offsetOf(wall, mono);
    const bootId = (this.deps.bootId ?? readBootId)();
    const epoch = repo.get();
    this.watch.sample();
    if (!epoch || epoch.bootId !== bootId) {
      this.epoch = repo.begin(bootId, offset, mono);
    } else {
      this.epoch = epoch;
      const delta = stepBetween(epoch.offsetMs, offset, mono - epoch.savedMonoMs);
      if (delta !== null) {
        this.atStart = { deltaMs: delta, bootWallBefore: epoch.offsetMs };
        this.apply({ deltaMs: delta, wallMs: wall, monoMs: mono }, true);
      } else repo.saveOffset(offset, mono);
    }
    this.stopClock = everySecond(() => this.check());
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopClock?.();
    this.stopClock = null;
    return Promise.resolve();
  }

  /**
   * Compares the clocks now and re-dates on a step. Cheap (two clock reads): whoever is about to
   * date something calls it first, so no time of the old timebase is written after the step.
   */
  check(): ClockStep | null {
    const step = this.watch.sample();
    if (step && this.epoch) this.apply(step, false);
    return step;
  }

  /**
   * A file's modification time in the present timebase: one written just before a step noticed
   * lately may carry the old one (core/clock.ts redate).
   */
  fileTime(mtimeMs: number): number {
    const recent = this.last && this.time.monoMs() - this.last.monoMs < REDATE_WINDOW_MS ? this.last : null;
    return redate(mtimeMs, recent, this.time.wallMs());
  }

  /**
   * The time of a file written before this start (the spool reconciled at start), in the present
   * timebase: one written in this boot before a step made while the daemon was stopped moves by it.
   */
  startFileTime(mtimeMs: number): number {
    const s = this.atStart;
    return s && mtimeMs >= s.bootWallBefore ? mtimeMs + s.deltaMs : mtimeMs;
  }

  /** The last step seen since start, for status and heartbeat. */
  lastStep(): ClockStep | null {
    return this.last;
  }

  private apply(step: ClockStep, whileStopped: boolean): void {
    const shifted = new ClockEpochRepo(this.deps.db).shift(this.epoch!, step.deltaMs, step.monoMs);
    this.last = step;
    this.deps.logger.warn(
      { deltaSeconds: Math.round(step.deltaMs / 1000), whileStopped, ...shifted },
      'wall clock stepped: this boot re-dated',
    );
    this.deps.events.emit('clock.step', {
      deltaMs: step.deltaMs,
      at: new Date(step.wallMs).toISOString(),
      whileStopped,
    });
  }
}
