// Stepped delays with jitter, the one back-off of the daemon (ffmpeg restarts, backfill retries,
// broker reconnects): after a power cut every box of a region retries at once, and without jitter
// they would hit the broker or the ingest in lock-step (FIELD-NOTES, MQTT).

/** Where "now" and randomness come from; tests inject their own. */
export interface Clock {
  readonly now: () => number;
  readonly random: () => number;
}

export const systemClock: Clock = { now: () => Date.now(), random: () => Math.random() };

/** The delay before attempt `attempt` (0-based): the steps in order, the last repeating, +-20 %. */
export function backoffDelay(stepsMs: readonly number[], attempt: number, random: () => number): number {
  const step = stepsMs[Math.min(Math.max(0, attempt), stepsMs.length - 1)] ?? 1000;
  return Math.round(step * (0.8 + 0.4 * random()));
}

/**
 * A failure counter over the steps: next() gives the delay and counts the failure; a success held
 * for `stableMs` (see stable()) starts again from the first step.
 */
export class Backoff {
  private failures_ = 0;

  constructor(
    private readonly stepsMs: readonly number[],
    private readonly clock: Clock = systemClock,
  ) {}

  get failures(): number {
    return this.failures_;
  }

  next(): number {
    return backoffDelay(this.stepsMs, this.failures_++, () => this.clock.random());
  }

  reset(): void {
    this.failures_ = 0;
  }
}
