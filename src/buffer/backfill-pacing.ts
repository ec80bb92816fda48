// Steers backfill's shared throttle by the live-first pace (backfill-pace.ts): once a second
// while an upload runs it asks the relay for the live destinations' rates (the composition root
// passes that question in; buffer never imports the relay's module) and feeds each new sample.
import { monoNow } from '../core/clock.ts';
import type { LiveRates } from '../core/status.ts';
import type { Logger } from '../log/logger.ts';
import { BackfillPace, type PaceState } from './backfill-pace.ts';
import type { Throttle } from './rate-throttle.ts';

const EVERY_MS = 1000;

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

  /** One step: a new sample of live rates moves the pace; none (or nothing uploading) keeps it. */
  step(now = monoNow()): void {
    if (!this.uploading()) {
      this.last = null;
      return;
    }
    const rates = this.liveRates();
    const sent = this.throttle.sentBytes;
    if (!rates) return;
    if (!this.last) {
      this.last = { at: rates.at, sent };
      return;
    }
    if (rates.at <= this.last.at) return;
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
