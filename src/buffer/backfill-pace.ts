// Live first on a shared uplink (issue 15 item 6, docs/backfill.md): the rate backfill may use,
// steered by what the live destinations get acknowledged. Pure: the caller feeds it samples at
// its own pace with the monotonic time, so every decision is tested without waiting.
//
// AIMD in the manner of TCP: while every live destination is acknowledged at its camera's rate
// and backfill uses what it is given, the allowance grows (doubling per second until the first
// shortfall, then by a twentieth per second of the rate where the last series of cuts began, and
// not while a live destination still catches up what queued); when a live
// destination falls short of its camera, the allowance halves, at most once per HOLD_MS (what
// the previous cut did shows only in later samples). It never falls below FLOOR_KBPS, so a live
// destination that is short for reasons of its own cannot stop backfill for ever, and it grows
// back as soon as live is whole again. A configured cap is the ceiling.

/** One live destination in one sample: both rates over the same interval of the relay's looks. */
export interface LiveSample {
  ackedKbps: number;
  cameraKbps: number;
}

/** Acknowledged below this share of the camera's rate is a shortfall (not the noise of a keyframe). */
export const SHORT_RATIO = 0.9;
/**
 * Acknowledged above this share of the camera's rate, a live destination is still sending what
 * queued while it was short: backfill does not grow until it has caught up.
 */
export const CATCHUP_RATIO = 1.1;
/** A camera slower than this says nothing: a few packets either way would swing the ratio. */
export const MIN_CAMERA_KBPS = 16;
/** The least backfill is allowed, whatever live does. */
export const FLOOR_KBPS = 64;
/** Where an uncapped allowance starts: grows to the link's room in seconds by doubling. */
export const START_KBPS = 1000;
/** After a cut, the next cut waits this long: the samples in between still show the old rate. */
export const HOLD_MS = 3000;
/** Growth needs backfill to use at least this share of its allowance (else the link is not the limit). */
const USED_SHARE = 0.5;

export type PaceReason =
  'start' | 'growing' | 'live short' | 'holding' | 'live catching up' | 'idle' | 'no evidence';

export interface PaceState {
  kbps: number;
  reason: PaceReason;
  /** Times the allowance was cut since start. */
  backoffs: number;
}

export class BackfillPace {
  private kbps: number;
  private reason: PaceReason = 'start';
  private backoffs = 0;
  /** Slow start until the first shortfall; afterwards additive growth of `step` per second. */
  private step: number | null = null;
  private cutAt = -Infinity;
  private lastAt: number | null = null;

  /** `ceilingKbps`: the configured cap (null: none). */
  constructor(
    private readonly ceilingKbps: number | null,
    startKbps = START_KBPS,
  ) {
    this.kbps = this.clamp(Math.min(startKbps, ceilingKbps ?? Infinity));
  }

  state(): PaceState {
    return { kbps: this.kbps, reason: this.reason, backoffs: this.backoffs };
  }

  /**
   * One sample at monotonic `now`: the live destinations measured since the last sample (empty:
   * none measured, e.g. none live or the table unreadable) and what backfill sent meanwhile,
   * kbit/s. Returns the allowance from now on.
   */
  update(now: number, live: LiveSample[], sentKbps: number): number {
    const dt = this.lastAt === null ? 0 : Math.max(0, now - this.lastAt) / 1000;
    this.lastAt = now;
    // A destination that acknowledged nothing at all is stalled or cut off (the relay judges and
    // resets it), not squeezed: a shared bottleneck slows every flow, it does not stop one.
    const judged = live.filter((s) => s.cameraKbps >= MIN_CAMERA_KBPS && s.ackedKbps > 0);
    const short = judged.some((s) => s.ackedKbps < s.cameraKbps * SHORT_RATIO);
    // Backfill that sent next to nothing cannot be what squeezed live: cutting it frees nothing
    // and would leave it to regrow from the floor (seen in the demo: a black-holed platform kept
    // the other's backfill at the floor for a minute).
    if (short && sentKbps < FLOOR_KBPS / 2) {
      this.reason = 'live short';
      return this.kbps;
    }
    if (short) {
      if (now - this.cutAt < HOLD_MS) {
        this.reason = 'holding';
        return this.kbps;
      }
      // Halve what backfill really sent, when less than its allowance: cutting an allowance it
      // does not use would free nothing.
      const from = Math.min(this.kbps, Math.max(sentKbps, FLOOR_KBPS));
      this.kbps = this.clamp(from / 2);
      // The growth step comes from the first cut of a series: cuts in a row bring the rate down
      // fast, and once live is whole it climbs back to where trouble began in about 10 s.
      if (this.reason !== 'live short' && this.reason !== 'holding')
        this.step = Math.max(FLOOR_KBPS / 4, from / 20);
      this.cutAt = now;
      this.backoffs++;
      this.reason = 'live short';
      return this.kbps;
    }
    if (judged.some((s) => s.ackedKbps > s.cameraKbps * CATCHUP_RATIO)) {
      this.reason = 'live catching up';
      return this.kbps;
    }
    if (sentKbps < this.kbps * USED_SHARE) {
      this.reason = 'idle';
      return this.kbps;
    }
    // Nothing to judge by (no live TCP destination measured) is no reason to yield: backfill grows
    // as it did uncapped before, and the first shortfall measured cuts it.
    this.kbps = this.clamp(this.step === null ? this.kbps * 2 ** dt : this.kbps + this.step * dt);
    this.reason = judged.length === 0 ? 'no evidence' : 'growing';
    return this.kbps;
  }

  private clamp(kbps: number): number {
    return Math.max(
      Math.min(FLOOR_KBPS, this.ceilingKbps ?? Infinity),
      Math.min(kbps, this.ceilingKbps ?? Infinity),
    );
  }
}
