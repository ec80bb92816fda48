// Steers backfill's shared throttle by the live-first pace (backfill-pace.ts): once a second
// while an upload runs it asks the relay for the live destinations' rates (the composition root
// passes that question in; buffer never imports the relay's module) and feeds each new sample.
import { monoNow } from '../core/clock.ts';
import type { LiveRates } from '../core/status.ts';
import type { Logger } from '../log/logger.ts';
import { BackfillPace, type PaceState } from './backfill-pace.ts';
import type { Throttle } from './rate-throttle.ts';

const EVERY_MS = 1000;
/** A sample older than this says nothing of now. */
const STALE_MS = 10_000;

export class BackfillPacing {
  private readonly pace: BackfillPace;
  private timer: NodeJS.Timeout | null = null;
  private last: { at: number; sent: number } | null = null;

  constructor(
    private readonly throttle: Throttle,
    ceilingKbps: number | null,
    private readonly liveRates: () => LiveRates | null,
    private readonly uploading: () => boolean,
    private readonly logger: Logger,
  ) {
    this.pace = new BackfillPace(ceilingKbps);
    throttle.setKbps(this.pace.state().kbps);
  }

  state(): PaceState {
    return this.pace.state();
  }

  start(): void {
    this.timer = setInterval(() => this.step(), EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * One step: a new sample of live rates moves the pace; the same sample again waits for the next.
   * No sample, or one gone stale (no camera live, the table unreadable), is no evidence: the pace
   * goes on by this clock, so backfill is not held at its starting rate.
   */
  step(now = monoNow()): void {
    if (!this.uploading()) {
      this.last = null;
      return;
    }
    const fresh = this.liveRates();
    const rates = fresh && now - fresh.at <= STALE_MS ? fresh : { at: now, destinations: [] };
    const sent = this.throttle.sentBytes;
    if (!this.last || rates.at < this.last.at) {
      this.last = { at: rates.at, sent };
      return;
    }
    if (rates.at === this.last.at) return;
    const sentKbps = ((sent - this.last.sent) * 8) / (rates.at - this.last.at);
    this.last = { at: rates.at, sent };
    const before = this.pace.state();
    const kbps = this.pace.update(now, rates.destinations, sentKbps);
    this.throttle.setKbps(kbps);
    const after = this.pace.state();
    if (after.backoffs > before.backoffs) {
      const short = rates.destinations.filter((d) => d.ackedKbps < d.cameraKbps);
      this.logger.info(
        { paceKbps: Math.round(kbps), sentKbps: Math.round(sentKbps), short },
        'backfill yields to live',
      );
    }
  }
}
