// A token bucket measured in bytes, with the clock injected so its arithmetic is tested without
// waiting. Reservations may run the bucket into debt: each caller is told how long to wait, so
// concurrent uploads share the rate first come, first served and no timer precision is needed.
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0) || !(burst > 0)) throw new RangeError('rate and burst must be positive');
    this.level = burst;
    this.last = now();
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  get burstBytes(): number {
    return this.burst;
  }

  /**
   * A new rate from now on (backfill-pace.ts steers it): what accrued so far counts at the old
   * rate; a debt is paid at the new one.
   */
  setRate(bytesPerSecond: number, burstBytes: number): void {
    if (!(bytesPerSecond > 0) || !(burstBytes > 0)) throw new RangeError('rate and burst must be positive');
    this.refill();
    this.rate = bytesPerSecond;
    this.burst = burstBytes;
    this.level = Math.min(this.level, burstBytes);
  }

  /** Takes n bytes now and returns the milliseconds to wait before sending them. */
  reserve(n: number): number {
    this.refill();
    this.level -= n;
    return this.level >= 0 ? 0 : (-this.level / this.bytesPerSecond) * 1000;
  }

  /** Gives back bytes reserved but never sent (an aborted upload). */
  refund(n: number): void {
    this.refill();
    this.level = Math.min(this.burst, this.level + n);
  }

  /** Bytes available now; negative while in debt. */
  available(): number {
    this.refill();
    return this.level;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.level = Math.min(this.burst, this.level + (elapsed * this.rate) / 1000);
  }
}

/** kbit/s as networks count them (1000 bits) to bytes per second. */
export function kbpsToBytesPerSecond(kbps: number): number {
  return (kbps * 1000) / 8;
}

/** Burst of a cap: 50 ms of it, at least 16 KiB, so one file-read chunk never needs two waits. */
export function burstFor(bytesPerSecond: number): number {
  return Math.max(16 * 1024, Math.round(bytesPerSecond * 0.05));
}
