// The daemon's two clocks. Durations, stalls, ages and order come from the monotonic clock, which
// never jumps; the wall clock is only for dating things others read (segments, outages, events).
// A Raspberry Pi has no real-time clock: it boots with the last saved time until NTP steps it,
// by days after a week off, by years from a bad server (FIELD-NOTES.md, issue 15 item 5).

/** Where both clocks are read; tests inject their own. */
export interface TimeSource {
  /** Epoch milliseconds, as the wall clock says now: it can step. */
  readonly wallMs: () => number;
  /** Milliseconds since boot (CLOCK_MONOTONIC, shared by every process of the boot): never steps. */
  readonly monoMs: () => number;
}

export const systemTime: TimeSource = {
  wallMs: () => Date.now(),
  monoMs: () => Number(process.hrtime.bigint()) / 1e6,
};

/** Now on the monotonic clock: the stamp to keep for anything measured as a duration. */
export function monoNow(): number {
  return systemTime.monoMs();
}

/** The wall time, in the wall clock's present timebase, of a monotonic stamp: a step is undone for it. */
export function wallOf(monoMs: number, time: TimeSource = systemTime): number {
  return Math.round(time.wallMs() - (time.monoMs() - monoMs));
}

export interface ClockStep {
  /** What the wall clock jumped by: positive forward. */
  deltaMs: number;
  /** Wall and monotonic time when the step was seen (after it). */
  wallMs: number;
  monoMs: number;
}

/**
 * Below this a difference between the two clocks is NTP slewing or sampling jitter, not a step
 * (slewing is at most 500 ppm; NTP steps only beyond 128 ms and anything under a second is
 * smaller than a segment).
 */
const STEP_MS = 1000;
const SLEW_PER_MS = 0.0005;

/** The wall clock's offset from the monotonic one; a step is a change of it that slewing cannot explain. */
export function offsetOf(wallMs: number, monoMs: number): number {
  return wallMs - monoMs;
}

/** Whether two offsets `elapsedMs` apart (monotonic) differ by a step, and by how much; null if not. */
export function stepBetween(beforeOffset: number, afterOffset: number, elapsedMs: number): number | null {
  const delta = afterOffset - beforeOffset;
  return Math.abs(delta) >= STEP_MS + SLEW_PER_MS * Math.max(0, elapsedMs) ? Math.round(delta) : null;
}

/** Compares the two clocks at each sample: a step is the wall clock moving more or less than the monotonic one. */
export class StepWatch {
  private last: { offset: number; mono: number } | null = null;

  constructor(private readonly time: TimeSource = systemTime) {}

  /** Reads both clocks; the step since the previous sample, or null. The first sample only sets the base. */
  sample(): ClockStep | null {
    const mono = this.time.monoMs();
    const wall = this.time.wallMs();
    const offset = offsetOf(wall, mono);
    const prev = this.last;
    this.last = { offset, mono };
    if (!prev) return null;
    const deltaMs = stepBetween(prev.offset, offset, mono - prev.mono);
    return deltaMs === null ? null : { deltaMs, wallMs: wall, monoMs: mono };
  }
}

/**
 * A file time (a segment's modification time) read just after a step may still be in the old
 * timebase: the one of the two readings nearer to `nowWall` is taken, since a segment is indexed
 * within seconds of closing.
 */
export function redate(fileMs: number, step: ClockStep | null, nowWall: number): number {
  if (!step) return fileMs;
  const shifted = fileMs + step.deltaMs;
  return Math.abs(shifted - nowWall) < Math.abs(fileMs - nowWall) ? shifted : fileMs;
}
