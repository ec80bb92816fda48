// The outage ledger: for each camera and destination, when the live relay was not delivering and
// why (camera, uplink, destination), and every second that will never reach a destination.
import type { Module } from '../core/module.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../log/logger.ts';
import type { Db } from '../store/db.ts';
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
}

export class Ledger implements Module {
  readonly name = 'ledger';
  private off: (() => void)[] = [];
  private cameraDownSince = new Map<string, number>();

  constructor(private readonly deps: LedgerDeps) {}

  start(): Promise<void> {
    const r = new SpoolRepo(this.deps.db);
    // Outages open when the daemon died end at this start: the gap was real, its end is now.
    const closed = r.closeAllOpen(Date.now());
    if (closed > 0) this.deps.logger.warn({ closed }, 'closed outages left open by an unclean stop');
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
        // Without a backfill endpoint, what the destination missed live is gone for it.
        if (!backfilled.has(e.destinationId) && outage.cause !== 'camera') {
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
      // The store's rows are re-dated by clock-steps.ts; the camera-down starts held here move too.
      this.deps.events.on('clock.step', (e) => {
        for (const [id, since] of this.cameraDownSince) this.cameraDownSince.set(id, since + e.deltaMs);
      }),
      this.deps.events.on('camera.state', (e) => {
        const at = Date.parse(e.at);
        if (e.state === 'offline') {
          // Only a camera that was up and went down makes a gap; starting up is not one.
          if (e.previous !== null && !this.cameraDownSince.has(e.cameraId))
            this.cameraDownSince.set(e.cameraId, at);
          return;
        }
        const since = this.cameraDownSince.get(e.cameraId);
        this.cameraDownSince.delete(e.cameraId);
        if (since !== undefined) {
          r.addLost({
            cameraId: e.cameraId,
            destinationId: null,
            startMs: since,
            endMs: at,
            reason: 'camera-down',
            detail: 'never recorded: the camera stream was down',
          });
        }
      }),
    );
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.off.forEach((f) => f());
    this.off = [];
    return Promise.resolve();
  }
}
