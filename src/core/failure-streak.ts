// Failures in a row of one supervised part (a camera's ffmpeg, a destination, the recording):
// after `threshold` of them the part is `failing` (issue 12 item 6), an alarm raised once; the next
// success clears it. A part that fails for months must be named, not retried in silence. Pure.
export type StreakChange = 'entered' | 'cleared' | null;

export class FailureStreak {
  private count = 0;
  private since: number | null = null;

  /** threshold 0: never failing. */
  constructor(private readonly threshold: number) {}

  /** One more failure at `now` (epoch ms); 'entered' when this one makes the part failing. */
  failed(now: number): StreakChange {
    this.count++;
    if (this.since !== null || this.threshold <= 0 || this.count < this.threshold) return null;
    this.since = now;
    return 'entered';
  }

  /** The part delivered: the streak ends; 'cleared' when it was failing. */
  succeeded(): StreakChange {
    this.count = 0;
    if (this.since === null) return null;
    this.since = null;
    return 'cleared';
  }

  get failures(): number {
    return this.count;
  }

  get failing(): boolean {
    return this.since !== null;
  }

  /** Since when it is failing (epoch ms), or null. */
  get failingSince(): number | null {
    return this.since;
  }
}
