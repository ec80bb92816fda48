// The telemetry module: presence, heartbeats, camera status, events and remote commands over
// MQTT. start() returns at once whether or not a broker answers; the daemon never waits on it.
import { monoNow } from '../core/clock.ts';
import type { GatewayStatus } from '../core/status.ts';
import type { Module } from '../core/module.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import { HostSampler, hostSampleFn, type SampleFn } from '../health/host-sampler.ts';
import type { Logger } from '../log/logger.ts';
import { scrubText } from '../log/secrets.ts';
import type { Db } from '../store/db.ts';
import { AvailabilityStore } from './availability-store.ts';
import { BrokerLink, type InboundMessage } from './broker-link.ts';
import { CameraBoard } from './camera-board.ts';
import type { CommandRouter } from './commands/command-router.ts';
import { remoteCommandRouter } from './commands/remote-commands.ts';
import {
  cameraEvent,
  destinationEvent,
  authEvent,
  failingEvent,
  discoveryEvent,
  diskEvent,
  outageEvent,
  type TelemetryEvent,
} from './event-payloads.ts';
import { heartbeat } from './heartbeat.ts';
import { Outbox } from './outbox.ts';
import { telemetrySettings, type TelemetrySettings } from './settings.ts';
import { presence } from './status-payloads.ts';
import { TelemetryStore } from './telemetry-store.ts';
import { topicsFor, type Topics } from './topics.ts';

export interface TelemetryDeps {
  cfg: Config;
  logger: Logger;
  events: EventBus;
  status: () => GatewayStatus;
  db: Db;
  /** The discovery module's run, for the remote `rediscover` command. */
  rediscover: () => Promise<unknown>;
  /** The discovery module's snapshot URI of a camera, read on first use, for the `snapshot` command. */
  snapshotUri: (cameraId: string) => Promise<string | null>;
  restartCamera: (cameraId: string) => Promise<boolean>;
  /** Host sampling; tests and the bench inject their own. */
  sample?: SampleFn;
  machineId?: string;
}

/** Figures change every second; a camera's retained status is refreshed every this many heartbeats. */
const CAMERA_REFRESH_BEATS = 4;
const ALIVE_EVERY_MS = 30_000;

export class TelemetryModule implements Module {
  readonly name = 'telemetry';
  readonly settings: TelemetrySettings;
  readonly topics: Topics;
  session = 0;
  seq = 0;
  private link: BrokerLink | null = null;
  private store: TelemetryStore | null = null;
  private outbox: Outbox | null = null;
  private availability: AvailabilityStore | null = null;
  private sampler: HostSampler | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void)[] = [];
  private readonly board = new CameraBoard();
  private missed: { count: number; from: string; to: string } | null = null;
  private router: CommandRouter | null = null;
  private aliveAt = -Infinity;
  private clockStep: { deltaMs: number; at: string } | null = null;
  private heartbeatAt: number | null = null;

  constructor(private readonly deps: TelemetryDeps) {
    this.settings = telemetrySettings(deps.cfg, deps.machineId);
    this.topics = topicsFor(this.settings.prefix, this.settings.siteId);
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** For /metrics: broker link, events waiting in the outbox (one COUNT), when a heartbeat last went out. */
  /** `heartbeatAgeMs` on the monotonic clock: a wall-clock step neither hides nor fakes a stale heartbeat. */
  state(): { brokerConnected: boolean; outboxDepth: number | null; heartbeatAgeMs: number | null } {
    let outboxDepth: number | null = null;
    try {
      outboxDepth = this.store?.pending() ?? null;
    } catch {
      /* a broken store shows as unknown here; the watchdog reports it */
    }
    const heartbeatAgeMs = this.heartbeatAt === null ? null : monoNow() - this.heartbeatAt;
    return { brokerConnected: this.connected, outboxDepth, heartbeatAgeMs };
  }

  start(signal: AbortSignal): Promise<void> {
    const db = this.deps.db;
    const s = this.settings;
    const log = this.deps.logger;
    this.store = new TelemetryStore(db);
    this.session = this.store.nextSession();
    this.availability = new AvailabilityStore(db);
    const closed = this.availability.closeOpen(this.store.get('last_alive') ?? new Date().toISOString());
    if (closed > 0) log.info({ closed }, 'closed destination states left open by the last run');
    if (signal.aborted) return Promise.resolve();

    const link = new BrokerLink(
      {
        ...s,
        will: () => ({ topic: this.topics.status, payload: this.presence('will') }),
        subscriptions: [this.topics.commands],
        logger: log,
      },
      {
        onUp: (i) => this.onUp(i),
        onDown: (r) => log.warn({ reason: r }, 'broker connection lost'),
        onMessage: (m) => this.onCommand(m),
      },
    );
    this.link = link;
    this.outbox = new Outbox(this.store, link, this.session, log);
    this.router = this.commandRouter();
    this.listen();
    this.sampler = new HostSampler(
      this.deps.sample ?? hostSampleFn(this.deps.cfg.recording.dir),
      s.heartbeatMs,
      log,
    );
    this.sampler.start();
    this.timer = setInterval(() => this.beat(), s.heartbeatMs);
    link.start();
    log.info(
      { session: this.session, clientId: s.clientId, brokers: s.urls.map(scrubText) },
      'telemetry started',
    );
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.sampler?.stop();
    this.markAlive(new Date(), true);
    const link = this.link;
    this.link = null;
    await link?.stop({ topic: this.topics.status, payload: this.presence('stopped') });
  }

  private presence(kind: 'birth' | 'will' | 'stopped'): string {
    return JSON.stringify(presence(this.deps.status(), this.session, kind));
  }

  private listen(): void {
    const bus = this.deps.events;
    const event = (e: TelemetryEvent) => this.outbox?.add(this.topics.events, e);
    this.unsubscribe.push(
      bus.on('camera.state', (e) => {
        event(cameraEvent(e));
        if (this.board.set(e.cameraId, e.state, e.at)) this.publishCamera(e.cameraId);
      }),
      bus.on('destination.state', (e) => {
        this.availability?.record(e.cameraId, e.destinationId, e.up, e.at);
        event(destinationEvent(e));
        this.publishCamera(e.cameraId);
      }),
      bus.on('discovery.camera', (e) => event(discoveryEvent(e))),
      bus.on('camera.auth', (e) => {
        event(authEvent(e));
        if (e.via === 'rtsp') this.publishCamera(e.cameraId);
      }),
      bus.on('part.failing', (e) => {
        event(failingEvent(e));
        this.publishCamera(e.cameraId);
      }),
      bus.on('disk.alarm', (e) => event(diskEvent(e))),
      bus.on('outage', (e) => event(outageEvent(e))),
      bus.on('config.reloaded', ({ at, ...data }) => event({ type: 'config.reloaded', at, data })),
      bus.on('clock.step', (e) => {
        this.clockStep = e;
        event({
          type: 'clock.step',
          at: e.at,
          data: { seconds: Math.round(e.deltaMs / 1000), whileStopped: e.whileStopped },
        });
      }),
    );
  }

  /** On every (re)connect: birth, every camera's retained status, the outage summary, then the outbox. */
  private onUp(info: { url: string; protocolVersion: 4 | 5 }): void {
    this.deps.logger.info({ url: scrubText(info.url), protocol: info.protocolVersion }, 'broker connected');
    this.publish(this.topics.status, this.presence('birth'), 1, true);
    const status = this.deps.status();
    for (const id of this.board.ids(status)) this.publishCamera(id, status);
    if (this.missed) {
      const m = this.missed;
      this.missed = null;
      this.outbox?.add(this.topics.events, {
        type: 'heartbeats.missed',
        at: m.to,
        data: { count: m.count, from: m.from, to: m.to, lastSeq: this.seq },
      });
    }
    this.outbox?.kick();
  }

  private publishCamera(cameraId: string, status = this.deps.status()): void {
    const payload = this.board.payload(cameraId, status, this.session);
    this.publish(this.topics.camera(cameraId), JSON.stringify(payload), 1, true);
  }

  /** Fire and forget: a lost retained message is re-asserted on the next connect. */
  private publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    if (!this.link?.connected) return;
    this.link.publish(topic, scrubText(payload), { qos, retain }).catch(() => undefined);
  }

  /** One heartbeat: built from the last host sample and the relay status, no I/O but one small write. */
  beat(): void {
    this.seq++;
    const now = new Date();
    this.markAlive(now);
    if (!this.link?.connected) {
      this.missed = {
        count: (this.missed?.count ?? 0) + 1,
        from: this.missed?.from ?? now.toISOString(),
        to: now.toISOString(),
      };
      return;
    }
    const status = this.deps.status();
    const hb = heartbeat({
      seq: this.seq,
      session: this.session,
      status,
      host: this.sampler?.last() ?? null,
      broker: true,
      reconnects: this.link.reconnects,
      clockStep: this.clockStep,
      now,
    });
    this.publish(this.topics.heartbeat, JSON.stringify(hb), 0, false);
    this.heartbeatAt = monoNow();
    if (this.seq % CAMERA_REFRESH_BEATS === 0)
      for (const id of this.board.ids(status)) this.publishCamera(id, status);
  }

  /** At most every ALIVE_EVERY_MS: availability after a crash is closed to within that. */
  private markAlive(now = new Date(), force = false): void {
    // Throttled on the monotonic clock: a day's step back must not stop the marks for a day.
    if (!force && monoNow() - this.aliveAt < ALIVE_EVERY_MS) return;
    this.aliveAt = monoNow();
    try {
      this.store?.set('last_alive', now.toISOString());
    } catch (err) {
      this.deps.logger.warn({ err }, 'cannot record liveness');
    }
  }

  private onCommand(m: InboundMessage): void {
    this.router?.handle(m);
  }

  private commandRouter(): CommandRouter {
    return remoteCommandRouter({
      ...this.deps,
      settings: this.settings,
      topics: this.topics,
      reply: async (topic, payload, correlationData) => {
        if (!this.link?.connected) return;
        await this.link
          .publish(topic, scrubText(JSON.stringify(payload)), { qos: 1, correlationData })
          .catch(() => undefined);
      },
    });
  }

  /** The share of the last 24 h each camera was live at each destination: kept in SQLite, sent as events. */
  availabilityReport(now = new Date()): void {
    const { day, reports } = this.availability?.daily(now) ?? { day: '', reports: [] };
    for (const r of reports)
      this.outbox?.add(this.topics.events, {
        type: 'availability.report',
        at: now.toISOString(),
        data: { day, ...r },
      });
  }
}
