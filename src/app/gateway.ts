// The composition root of `edge-gateway run`: builds the modules, starts them in order and
// stops them in reverse. Modules talk through the interfaces given here, never to each other.
import type { Config } from '../config/schema.ts';
import { cameraHealth } from '../core/camera-health.ts';
import { EventBus, type CameraHealth } from '../core/events.ts';
import type { Logger } from '../log/logger.ts';
import { RelayManager, relayCameras } from '../relay/relay-manager.ts';
import { openStore, type Db } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';
import { TelemetryModule } from '../telemetry/telemetry-module.ts';
import { Backfill } from '../buffer/backfill.ts';
import { Ledger, type OutageCause } from '../buffer/ledger.ts';
import { Recording } from '../buffer/recording.ts';
import { startAll, stopAll, type Module } from './module.ts';
import { StatusServer } from './status-server.ts';
import { streamStatus, type GatewayStatus } from './status-model.ts';
import { version } from '../service/version.ts';

export class Gateway {
  private db: Db | null = null;
  private started: Module[] = [];
  private readonly startedAt = new Date();
  private readonly health_ = new Map<string, CameraHealth>();
  readonly relay: RelayManager;
  readonly events: EventBus;
  readonly recording: Recording;
  readonly backfill: Backfill;
  private readonly ledger: Ledger;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
  ) {
    this.events = new EventBus((event, err) => logger.error({ event, err }, 'event listener failed'));
    const db = () => this.db;
    this.recording = new Recording({
      cfg,
      db,
      logger: logger.child({ module: 'recording' }),
      events: this.events,
      restartRecorders: (reason) => this.relay.restartRecorders(reason),
    });
    this.backfill = new Backfill({ cfg, db, logger: logger.child({ module: 'backfill' }) });
    this.ledger = new Ledger({
      cfg,
      db,
      events: this.events,
      logger: logger.child({ module: 'ledger' }),
      causeOf: (cameraId) => this.outageCause(cameraId),
      onRecovered: () => this.backfill.kick(),
    });
    this.relay = new RelayManager(
      cfg,
      () => relayCameras(cfg, this.db ? new InventoryRepo(this.db).list() : []),
      logger.child({ module: 'relay' }),
      { onStateChange: (e) => this.onRelayState(e) },
      this.recording,
    );
  }

  /** Camera down explains everything; every destination down at once is the uplink; else that destination. */
  private outageCause(cameraId: string): OutageCause {
    const streams = this.relay.status().streams;
    if (!streams.filter((s) => s.cameraId === cameraId).every((s) => s.ingest.state === 'live'))
      return 'camera';
    const all = streams.flatMap((s) => s.destinations);
    return all.length > 1 && all.every((d) => d.state !== 'live') ? 'uplink' : 'destination';
  }

  /** Turns supervisor state changes into destination and camera events. */
  private onRelayState(e: {
    cameraId: string;
    destinationId: string | null;
    state: string;
    previous: string;
  }): void {
    const { cameraId, destinationId, state, previous } = e;
    this.logger.info({ module: 'relay', cameraId, destinationId, state, previous }, 'state changed');
    const at = new Date().toISOString();
    if (destinationId && (state === 'live') !== (previous === 'live')) {
      const reason = state === 'live' ? null : (this.relay.lastError(cameraId, destinationId) ?? state);
      const until = state === 'live' ? null : this.relay.deliveredUntil(cameraId, destinationId);
      this.events.emit('destination.state', {
        cameraId,
        destinationId,
        up: state === 'live',
        at,
        reason,
        deliveredUntil: until === null ? null : new Date(until).toISOString(),
      });
    }
    const streams = this.relay.status().streams.filter((s) => s.cameraId === cameraId);
    const next = cameraHealth(
      streams.map((s) => s.ingest.state),
      streams.flatMap((s) => s.destinations.map((d) => d.state)),
    );
    const prev = this.health_.get(cameraId) ?? null;
    if (next !== prev) {
      this.health_.set(cameraId, next);
      this.events.emit('camera.state', { cameraId, state: next, previous: prev, at });
    }
  }

  private modules(): Module[] {
    return [
      {
        name: 'store',
        start: () => {
          this.db = openStore(this.cfg.store.path);
          return Promise.resolve();
        },
        stop: () => {
          this.db?.close();
          this.db = null;
          return Promise.resolve();
        },
      },
      // The status socket comes up before the relay so a technician can see streams starting.
      new StatusServer(this.cfg.relay.statusSocket, this),
      // Before the relay, so the first camera states reach the outbox; start() never waits on the broker.
      new TelemetryModule({
        cfg: this.cfg,
        logger: this.logger.child({ module: 'telemetry' }),
        events: this.events,
        status: () => this.status(),
        db: () => this.db,
        restartCamera: (id) => this.relay.restartCamera(id),
        retention: () => Promise.resolve(void this.recording.enforceRetention()),
      }),
      {
        name: 'leftovers',
        start: () => Promise.resolve(this.relay.endLeftovers()),
        stop: () => Promise.resolve(),
      },
      // Reconcile the spool before any recorder writes to it.
      this.recording,
      this.ledger,
      this.backfill,
      { name: 'relay', start: (s) => this.relay.start(s), stop: () => this.relay.stop() },
    ];
  }

  async start(signal: AbortSignal): Promise<void> {
    // On a failed start, stop() still stops what did start.
    this.started = [];
    await startAll(this.modules(), signal, this.logger, this.started);
  }

  async stop(): Promise<void> {
    const started = this.started;
    this.started = [];
    await stopAll(started, this.logger);
  }

  /** Cheap enough for a watchdog to ask every few seconds: no I/O. */
  health(): { ok: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.db) reasons.push('store not open');
    return { ok: reasons.length === 0, reasons };
  }

  status(): GatewayStatus {
    const relay = this.relay.status();
    return {
      site: { id: this.cfg.site.id, name: this.cfg.site.name },
      version: version(),
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      ffmpeg: relay.ffmpeg,
      uplinkKbps: relay.uplinkKbps,
      warnings: relay.warnings,
      streams: relay.streams.map(streamStatus),
      backfill: this.backfill.status(),
    };
  }
}
