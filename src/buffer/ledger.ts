// The outage ledger: for each camera and destination, when the live relay was not delivering and
// why (camera, uplink, destination, the gateway itself down or starting), and every second that
// will never reach a destination. Seconds never recorded are the recording's to account
// (src/buffer/segment-index.ts); docs/backfill.md, "Where every second went".
import type { Module } from '../core/module.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../log/logger.ts';
import type { Db } from '../store/db.ts';
import { AccountingRepo } from '../store/accounting.ts';
import { SpoolRepo, type OutageRow } from '../store/spool.ts';

export type OutageCause = OutageRow['cause'];

export interface LedgerDeps {
  cfg: Config;
  db: Db;
  events: EventBus;
  logger: Logger;
  /** Why a destination of a camera is not delivering, judged from the relay's state now. */
  causeOf: (cameraId: string, destinationId: string) => OutageCause;
  /** A destination came back: its backlog can be sent. */
  onRecovered?: (cameraId: string, destinationId: string) => void;
  /** How long before what a destination last proved it read its backfill starts (backfill.marginSeconds). */
  marginMs: number;
}

export class Ledger implements Module {
  readonly name = 'ledger';
  private off: (() => void)[] = [];
  /** Pairs live at least once in this run: until then the gateway's own outage is theirs. */
  private liveThisRun = new Set<string>();
  /** When this run began (the gateway builds its modules together: the recording's start too). */
  private runStart = Date.now();

  constructor(private readonly deps: LedgerDeps) {}

  start(): Promise<void> {
    const r = new SpoolRepo(this.deps.db);
    // Outages open when the daemon died end at this start: the gap was real, its end is now.
    const closed = r.closeAllOpen(this.runStart);
    if (closed > 0) this.deps.logger.warn({ closed }, 'closed outages left open by an unclean stop');
    const opened = this.openGatewayOutages(r, this.runStart);
    if (opened > 0) this.deps.logger.info({ opened }, 'destinations owed what the gateway missed while down');
    const backfilled = new Set(this.deps.cfg.destinations.filter((d) => d.backfill).map((d) => d.id));

    this.off.push(
      this.deps.events.on('destination.state', (e) => {
        const at = Date.parse(e.at);
        if (!e.up) {
          const cause = this.deps.causeOf(e.cameraId, e.destinationId);
          // The outage began when the destination last delivered, not when the stall was noticed
          // (stallSeconds later); the relay has already taken off the margin for what was in flight.
          const delivered = e.deliveredUntil ? Date.parse(e.deliveredUntil) : at;
          const start = Math.min(at, delivered);
          if (r.openOutage(e.cameraId, e.destinationId, cause, start)) {
            this.deps.logger.info(
              {
                cameraId: e.cameraId,
                destinationId: e.destinationId,
                cause,
                reason: e.reason,
                secondsBeforeSeen: Math.round((at - start) / 100) / 10,
              },
              'outage began',
            );
            this.deps.events.emit('outage', {
              cameraId: e.cameraId,
              destinationId: e.destinationId,
              cause,
              startAt: new Date(start).toISOString(),
              endAt: null,
              at: e.at,
            });
          }
          return;
        }
        const pair = `${e.cameraId}/${e.destinationId}`;
        // A pair new since the last run missed what was recorded before it first went live.
        if (!this.liveThisRun.has(pair)) {
          this.liveThisRun.add(pair);
          r.openOutage(e.cameraId, e.destinationId, 'gateway', Math.min(this.runStart, at));
        }
        const outage = r.closeOutage(e.cameraId, e.destinationId, at);
        if (!outage) return;
        this.deps.events.emit('outage', {
          cameraId: e.cameraId,
          destinationId: e.destinationId,
          cause: outage.cause,
          startAt: new Date(outage.startMs).toISOString(),
          endAt: e.at,
          at: e.at,
        });
        this.deps.logger.info(
          {
            cameraId: e.cameraId,
            destinationId: e.destinationId,
            cause: outage.cause,
            seconds: Math.round((at - outage.startMs) / 1000),
          },
          'outage ended',
        );
        // Without a backfill endpoint, what the destination missed live is gone for it, whatever
        // the cause: a camera outage's own seconds still count as camera-down (core/accounting.ts
        // counts each second once, the camera's reason first), and the rest of it (the margin
        // before, or a camera process the relay restarted, which is no camera outage at all) was
        // recorded but never delivered.
        if (!backfilled.has(e.destinationId)) {
          r.addLost({
            cameraId: e.cameraId,
            destinationId: e.destinationId,
            startMs: outage.startMs,
            endMs: at,
            reason: 'no-backfill-endpoint',
            detail: `outage cause: ${outage.cause}`,
          });
        }
        this.deps.onRecovered?.(e.cameraId, e.destinationId);
      }),
      // The store's rows are re-dated by clock-steps.ts; the start of this run moves with them.
      this.deps.events.on('clock.step', (e) => (this.runStart += e.deltaMs)),
    );
    return Promise.resolve();
  }

  /**
   * Every pair of the last run missed what the gateway did not relay while it was down or starting:
   * from where its camera's recording last ended (the gateway's last sign of life in the spool),
   * less the margin, until the pair is live again. Those segments are owed; the unrecorded seconds
   * between are the recording's gap (gateway-down).
   */
  private openGatewayOutages(r: SpoolRepo, runStart: number): number {
    const acc = new AccountingRepo(this.deps.db);
    const enabled = new Set(this.deps.cfg.destinations.filter((d) => d.enabled).map((d) => d.id));
    let opened = 0;
    // Only pairs the relay once judged: one never sent (a codec the destination cannot take)
    // would hold an outage open forever, and retention would keep its segments as owed.
    for (const p of acc.knownPairs()) {
      if (!enabled.has(p.destinationId)) continue;
      const last = acc.lastRecordedEnd(p.cameraId);
      const from = Math.min(runStart, (last ?? runStart) - this.deps.marginMs);
      if (r.openOutage(p.cameraId, p.destinationId, 'gateway', from)) opened++;
    }
    return opened;
  }

  stop(): Promise<void> {
    this.off.forEach((f) => f());
    this.off = [];
    return Promise.resolve();
  }
}
