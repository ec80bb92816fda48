// The composition root of `edge-gateway run`: opens the store, builds the modules on it, starts
// them in order and stops them in reverse. Modules talk through the interfaces given here, never
// to each other.
import { monoNow, wallOf } from '../core/clock.ts';
import { accessSync, constants } from 'node:fs';
import { Backfill } from '../buffer/backfill.ts';
import { ClockSteps } from '../buffer/clock-steps.ts';
import { Ledger, type OutageCause } from '../buffer/ledger.ts';
import { Recording } from '../buffer/recording.ts';
import type { Config } from '../config/schema.ts';
import { AuthHolds } from '../core/auth-holds.ts';
import { cameraHealth } from '../core/camera-health.ts';
import { mismatchParams } from '../core/codec-fit.ts';
import { EventBus, type CameraHealth } from '../core/events.ts';
import { startAll, stopAll, type Module } from '../core/module.ts';
import type { GatewayStatus } from '../core/status.ts';
import { DiscoveryModule } from '../discovery/discovery-module.ts';
import { translator } from '../i18n/index.ts';
import type { Logger } from '../log/logger.ts';
import { ownerKeyFor } from '../relay/orphans.ts';
import { RelayManager, backfillMarginMs, relayCameras } from '../relay/relay-manager.ts';
import { streamStatus } from '../relay/stream-status.ts';
import { Scheduler } from '../schedule/scheduler.ts';
import { openStore, type Db } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';
import { AvailabilityStore } from '../telemetry/availability-store.ts';
import { TelemetryModule } from '../telemetry/telemetry-module.ts';
import { version } from '../service/version.ts';
import { HealthServer } from './health-server.ts';
import { reloadConfig, type ReloadResult } from './reload.ts';
import { StatusServer } from './status-server.ts';

/** Reasons in the status document and over MQTT are in English; `status` translates them. */
const english = translator('en');

/** A read-only remount (SD card errors) or lost permissions show here without writing anything. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export class Gateway {
  private started: Module[] = [];
  private closed = false;
  /** Monotonic: uptime must not jump with the wall clock. */
  private readonly startedMono = monoNow();
  private readonly health_ = new Map<string, CameraHealth>();
  readonly events: EventBus;
  readonly relay: RelayManager;
  readonly recording: Recording;
  readonly backfill: Backfill;
  readonly discovery: DiscoveryModule;
  readonly clock: ClockSteps;
  private readonly ledger: Ledger;
  private readonly telemetry: TelemetryModule;
  private readonly modules: Module[];
  private availability = new Map<string, number>();
  private availabilityAt = -Infinity;

  private reloading: Promise<unknown> = Promise.resolve();

  /**
   * Opens the store (it throws when it cannot) and builds every module on it. `configFile` is
   * where reload() reads the configuration again.
   */
  static open(cfg: Config, logger: Logger, configFile: string | null = null): Gateway {
    return new Gateway(cfg, logger, openStore(cfg.store.path), configFile);
  }

  private constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    private readonly db: Db,
    private readonly configFile: string | null,
  ) {
    const child = (module: string) => logger.child({ module });
    const events = new EventBus((event, err) => logger.error({ event, err }, 'event listener failed'));
    this.events = events;
    this.clock = new ClockSteps({ db, events, logger: child('clock') });
    this.recording = new Recording({
      cfg,
      db,
      logger: child('recording'),
      events,
      clock: this.clock,
    });
    this.backfill = new Backfill({
      cfg,
      db,
      logger: child('backfill'),
      liveRates: () => this.relay.liveRates(),
    });
    this.ledger = new Ledger({
      cfg,
      db,
      events,
      logger: child('ledger'),
      causeOf: (cameraId) => this.outageCause(cameraId),
      onRecovered: () => this.backfill.kick(),
      marginMs: backfillMarginMs(cfg, null),
    });
    // One hold per camera account, whether ONVIF or the RTSP pull was refused (issue 12 item 4).
    const holds = new AuthHolds(cfg.cameraLogin.attemptsPerHour);
    const at = () => new Date().toISOString();
    this.relay = new RelayManager(
      cfg,
      () => relayCameras(cfg, new InventoryRepo(db).list()),
      child('relay'),
      {
        onStateChange: (e) => this.onRelayState(e),
        onAuthRefused: (e) =>
          events.emit('camera.auth', {
            cameraId: e.cameraId,
            address: e.host,
            via: 'rtsp',
            retryAt: e.retryAt === null ? null : new Date(e.retryAt).toISOString(),
            at: at(),
          }),
        onFailing: (e) =>
          events.emit('part.failing', {
            cameraId: e.cameraId,
            part: e.part,
            destinationId: e.destinationId,
            failures: e.failures,
            reason: e.reason,
            cleared: !e.failing,
            at: at(),
          }),
      },
      this.recording,
      holds,
    );
    // After every listener has re-dated what it holds (a gap opened now is already in the new timebase).
    events.on('clock.step', (e) => {
      if (e.deltaMs < 0)
        queueMicrotask(
          () =>
            void this.relay.newRecordingRuns(
              `the wall clock stepped back ${Math.round(-e.deltaMs / 1000)} s`,
            ),
        );
    });
    this.discovery = new DiscoveryModule({
      cfg,
      db,
      events,
      holds,
      logger: child('discovery'),
      onDiscovered: () => this.relay.reconcile('discovery'),
      onCameraChanged: () => this.relay.reconcile('discovery'),
    });
    this.telemetry = new TelemetryModule({
      cfg,
      logger: child('telemetry'),
      events,
      status: () => this.status(),
      db,
      rediscover: () => this.discovery.rediscover(),
      snapshotUri: (id) => this.discovery.snapshotUri(id),
      restartCamera: (id) => this.relay.restartCamera(id),
    });
    const sch = cfg.schedules;
    const schedules = new Scheduler(sch.timezone, child('schedules'), [
      { name: 'rediscover', cron: sch.rediscover, run: () => this.discovery.scheduled('schedule') },
      {
        name: 'retention',
        cron: sch.retention,
        run: () => Promise.resolve(void this.recording.enforceRetention()),
      },
      {
        name: 'availability',
        cron: sch.availabilityReport,
        run: () => Promise.resolve(this.telemetry.availabilityReport()),
      },
    ]);
    this.modules = [
      // The status socket comes up before the relay so a technician can see streams starting.
      new StatusServer(cfg.relay.statusSocket, this),
      // Before the relay, so the first camera states reach the outbox; start() never waits on the broker.
      this.telemetry,
      new HealthServer(
        cfg.http.port,
        {
          health: () => this.health(),
          status: () => this.status(),
          telemetryState: () => this.telemetry.state(),
          recordingDir: cfg.recording.dir,
        },
        child('http'),
      ),
      {
        name: 'leftovers',
        start: () => Promise.resolve(this.relay.endLeftovers()),
        stop: () => Promise.resolve(),
      },
      // Before anything is dated in the store: a step while stopped re-dates this boot's rows first.
      this.clock,
      // Reconcile the spool before any recorder writes to it.
      this.recording,
      this.ledger,
      this.backfill,
      this.discovery,
      this.relay,
      schedules,
    ];
  }

  /** The marker that lets a later start (or a second signal) find this gateway's ffmpeg processes. */
  ownerKey(): string {
    return ownerKeyFor(this.cfg.relay.statusSocket);
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
      const until = state === 'live' ? null : this.relay.owedFrom(cameraId, destinationId);
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
      this.relay.status().unsent.filter((u) => u.cameraId === cameraId).length,
    );
    const prev = this.health_.get(cameraId) ?? null;
    if (next !== prev) {
      this.health_.set(cameraId, next);
      this.events.emit('camera.state', { cameraId, state: next, previous: prev, at });
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    // On a failed start, stop() still stops what did start.
    this.started = [];
    await startAll(this.modules, signal, this.logger, this.started);
  }

  /** Stops what started, in reverse, then closes the store: after it the gateway is spent. */
  async stop(): Promise<void> {
    const started = this.started;
    this.started = [];
    await stopAll(started, this.logger);
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } catch (err) {
      this.logger.error({ module: 'store', err }, 'module failed to stop');
    }
  }

  /** Reads the configuration file again and applies it by difference (app/reload.ts); one at a time. */
  reload(): Promise<ReloadResult> {
    const run = this.reloading.then(() =>
      reloadConfig({
        cfg: this.cfg,
        file: this.configFile,
        logger: this.logger.child({ module: 'reload' }),
        events: this.events,
        reconcile: (reason) => this.relay.reconcile(reason),
      }),
    );
    this.reloading = run.catch(() => undefined);
    return run;
  }

  /** Cheap enough for a watchdog to ask every few seconds: one access(2), no reads or writes. */
  health(): { ok: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (this.closed) reasons.push('store not open');
    else if (!writable(this.cfg.store.path)) reasons.push('store not writable');
    const tick = this.relay.tickProblem();
    if (tick) reasons.push(tick);
    return { ok: reasons.length === 0, reasons };
  }

  /** Share of the last 24 h each destination was live, read from the store at most once a minute. */
  private availability24h(cameraId: string, destinationId: string): number | null {
    const now = Date.now();
    if (!this.closed && monoNow() - this.availabilityAt > 60_000) {
      this.availabilityAt = monoNow();
      try {
        const reports = new AvailabilityStore(this.db).reports(new Date(now - 86_400_000), new Date(now));
        this.availability = new Map(
          reports.flatMap((r) => r.destinations.map((d) => [`${r.cameraId}/${d.id}`, d.share] as const)),
        );
      } catch (err) {
        this.logger.warn({ err }, 'cannot read availability');
      }
    }
    return this.availability.get(`${cameraId}/${destinationId}`) ?? null;
  }

  status(): GatewayStatus {
    const relay = this.relay.status();
    return {
      site: { id: this.cfg.site.id, name: this.cfg.site.name },
      version: version(),
      pid: process.pid,
      // In the wall clock's present timebase, so a step since start moves it too.
      startedAt: new Date(wallOf(this.startedMono)).toISOString(),
      uptimeSeconds: Math.round((monoNow() - this.startedMono) / 1000),
      ffmpeg: relay.ffmpeg,
      uplinkKbps: relay.uplinkKbps,
      warnings: relay.warnings,
      streams: relay.streams.map((r) => streamStatus(r, (c, d) => this.availability24h(c, d))),
      unsent: relay.unsent.map((u) => ({
        ...u,
        message: english('relay.unsent.codec', mismatchParams(u.reason)),
      })),
      backfill: this.backfill.status(),
    };
  }
}
