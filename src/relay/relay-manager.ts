// The relay module: turns the inventory and the configuration into a plan and runs a
// StreamRelay per planned camera stream.
import { monoNow, wallOf } from '../core/clock.ts';
import type { Config } from '../config/schema.ts';
import type { AuthHolds } from '../core/auth-holds.ts';
import type { Module } from '../core/module.ts';
import {
  planRelay,
  protocolOf,
  type PlanCamera,
  type PlannedIngest,
  type RelayPlan,
  type UnsentOutput,
} from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import { allowedCpus, CpuRoundRobin } from './cpu-placement.ts';
import type { CameraSource } from './relay-cameras.ts';
import { detectFfmpeg, muxersOf, type FfmpegVersion } from './ffmpeg-version.ts';
import { ffmpegLauncher, LAUNCHER } from './ffmpeg-process.ts';
import { killOrphans, markChildren, ownerKeyFor } from './orphans.ts';
import { StreamRelay, type FailingPart, type RecorderHooks, type StreamRelayStatus } from './stream-relay.ts';

export { relayCameras, type CameraSource } from './relay-cameras.ts';
import type { SupervisedState } from './supervisor.ts';
import type { LiveRates } from '../core/status.ts';
import { RelayTicker } from './relay-ticker.ts';
import { SRT_BREAK_SEEN_MS } from './srt-evidence.ts';
import { buildStreamRelay } from './stream-relay-factory.ts';

export interface RecordingSource {
  enabled: boolean;
  hooks(cameraId: string): RecorderHooks;
}

export interface RelayEvents {
  onStateChange?: (e: {
    cameraId: string;
    destinationId: string | null;
    state: SupervisedState;
    previous: SupervisedState;
  }) => void;
  /** A camera refused the RTSP pull's login: not asked again before `retryAt`, wall-clock ms (null: new credentials). */
  onAuthRefused?: (e: { cameraId: string; host: string; refusal: string; retryAt: number | null }) => void;
  /** A part entered `failing` (relay.failingAfter failures in a row), or left it by delivering. */
  onFailing?: (
    e: FailingPart & { cameraId: string; failing: boolean; failures: number; reason: string | null },
  ) => void;
}

/** What a reconcile changed, by stream key (camera|profile). */
export interface RelayChanges {
  started: string[];
  restarted: string[];
  stopped: string[];
}

const ingestKey = (i: PlannedIngest) => `${i.cameraId}|${i.profileToken}`;

/** The margin of doubt before what a destination proved it read: docs/backfill.md. */
export function backfillMarginMs(cfg: Config, windowMs: number | null): number {
  if (cfg.backfill.marginSeconds !== undefined) return cfg.backfill.marginSeconds * 1000;
  return Math.max(windowMs ?? 0, cfg.recording.segmentSeconds * 1000);
}

export class RelayManager implements Module {
  readonly name = 'relay';
  private relays: StreamRelay[] = [];
  /** The running streams by plan key, with the fingerprint of what they were started from. */
  private running: { key: string; print: string; relay: StreamRelay }[] = [];
  private applying: Promise<void> = Promise.resolve();
  private signal: AbortSignal | null = null;
  private cpus = new CpuRoundRobin([]);
  private placementWarned = false;
  private plan: RelayPlan | null = null;
  private version: FfmpegVersion | null = null;
  private leftoversEnded = false;
  private ticker: RelayTicker | null = null;
  /** Destinations already logged as not sent, so a re-plan at every discovery does not repeat them. */
  private unsentLogged = new Set<string>();

  constructor(
    private readonly cfg: Config,
    private readonly cameras: () => CameraSource[],
    private readonly logger: Logger,
    private readonly events: RelayEvents = {},
    private readonly recording: RecordingSource | null = null,
    /** Camera logins refused, shared with discovery: one account per camera (core/auth-holds.ts). */
    private readonly holds: AuthHolds | null = null,
  ) {}

  /** The marker that lets the next start find this gateway's ffmpeg processes. */
  ownerKey(): string {
    return ownerKeyFor(this.cfg.relay.statusSocket);
  }

  /**
   * Ends ffmpeg left by a SIGKILLed or power-cut run and marks this run's children. Called before
   * anything reads the spool: a leftover recorder would still be writing the segment being judged.
   */
  endLeftovers(): void {
    if (this.leftoversEnded) return;
    this.leftoversEnded = true;
    const owner = this.ownerKey();
    const killed = killOrphans(owner);
    if (killed.length > 0)
      this.logger.warn({ pids: killed }, 'ended ffmpeg processes left by a previous run');
    markChildren(owner);
  }

  async start(signal: AbortSignal): Promise<void> {
    this.version = await detectFfmpeg();
    const launcher = ffmpegLauncher();
    this.logger.info({ ffmpeg: this.version.text, launcher }, 'ffmpeg found');
    if (!launcher)
      this.logger.warn(`no executable ${LAUNCHER} beside the program: ffmpeg will not die with the daemon`);
    this.endLeftovers();
    if (signal.aborted) return;
    this.signal = signal;
    const r = this.cfg.relay;
    this.cpus = new CpuRoundRobin(r.cpuPinning ? allowedCpus() : []);
    if (
      r.stallSeconds * 1000 < SRT_BREAK_SEEN_MS &&
      this.cfg.destinations.some((d) => protocolOf(d.url) === 'srt')
    )
      this.logger.warn(
        { stallSeconds: r.stallSeconds },
        `an SRT destination's break is seen only after libsrt's peer idle timeout: about ${SRT_BREAK_SEEN_MS / 1000} s, more than stallSeconds (docs/relay.md, SRT destinations)`,
      );
    await this.reconcile('start');
    if (signal.aborted) return;
    // One ticker for every destination of every camera: one read of the TCP table per tick at most.
    this.ticker = new RelayTicker(r.stallSeconds, () => this.relays, this.logger);
    this.ticker.start();
    this.logger.info({ streams: this.relays.length, uplinkKbps: this.plan?.uplinkKbps }, 'relay started');
  }

  /**
   * Plans again from the current inventory and configuration and applies the difference: a stream
   * whose plan, credentials or settings changed restarts, a new one starts, a gone one stops; every
   * other stream goes on untouched. Calls are queued, one at a time.
   */
  reconcile(reason: string): Promise<RelayChanges> {
    const next = this.applying.then(() => this.apply(reason));
    this.applying = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async apply(reason: string): Promise<RelayChanges> {
    const changes: RelayChanges = { started: [], restarted: [], stopped: [] };
    const signal = this.signal;
    if (!this.version || !signal || signal.aborted) return changes;
    const cameras = this.cameras();
    const byId = new Map(cameras.map((c) => [c.id, c]));
    const planCameras: PlanCamera[] = cameras.map((c) => ({ id: c.id, profiles: c.profiles }));
    this.plan = planRelay(
      planCameras,
      this.cfg.destinations.filter((d) => d.enabled),
      this.cfg.site.id,
      this.cfg.uplink.kbps,
      this.recording?.enabled ?? false,
      muxersOf(this.version),
    );
    for (const w of this.plan.warnings) this.logger.warn(w);
    this.logUnsent(this.plan.unsent);
    const destCreds = new Map(
      this.cfg.destinations.map((d) => [
        d.id,
        d.username ? { username: d.username, password: d.password ?? '' } : null,
      ]),
    );
    const wanted = new Map(
      this.plan.ingests.map((ingest) => {
        const creds = byId.get(ingest.cameraId)?.credentials ?? null;
        const print = JSON.stringify([
          ingest,
          creds,
          ingest.outputs.map((o) => destCreds.get(o.destinationId) ?? null),
          this.cfg.relay,
        ]);
        return [ingestKey(ingest), { ingest, creds, print }] as const;
      }),
    );
    const gone = this.running.filter((x) => wanted.get(x.key)?.print !== x.print);
    this.running = this.running.filter((x) => !gone.includes(x));
    this.relays = this.running.map((x) => x.relay);
    await Promise.all(gone.map((x) => x.relay.stop()));
    for (const x of gone) (wanted.has(x.key) ? changes.restarted : changes.stopped).push(x.key);
    const have = new Set(this.running.map((x) => x.key));
    for (const [key, w] of wanted) {
      if (have.has(key) || signal.aborted) continue;
      const relay = await buildStreamRelay(
        {
          cfg: this.cfg,
          logger: this.logger,
          events: this.events,
          recording: this.recording,
          holds: this.holds,
          version: this.version,
          nextCpu: () => this.cpus.next(),
          onPlacementError: this.onPlacementError,
          siteDelivers: () => this.relays.some((x) => x.delivers()),
        },
        w.ingest,
        w.creds,
        (id) => destCreds.get(id) ?? null,
      );
      // A destination whose certificate fails is left out of the camera's tee from the start.
      await relay.checkCertificates();
      if (signal.aborted) break;
      this.running.push({ key, print: w.print, relay });
      this.relays = this.running.map((x) => x.relay);
      relay.start();
      if (!changes.restarted.includes(key)) changes.started.push(key);
    }
    if (reason !== 'start' && changes.started.length + changes.restarted.length + changes.stopped.length > 0)
      this.logger.info({ reason, ...changes }, 'relay reconciled');
    return changes;
  }

  /**
   * A destination whose container cannot carry the camera's codec is left out of the tee (never
   * tried, so never retried); said once, and again only after it was sendable in between.
   */
  private logUnsent(unsent: UnsentOutput[]): void {
    const keys = new Set(unsent.map((u) => `${u.cameraId}|${u.destinationId}`));
    for (const u of unsent) {
      if (this.unsentLogged.has(`${u.cameraId}|${u.destinationId}`)) continue;
      this.logger.warn(
        { cameraId: u.cameraId, destinationId: u.destinationId, ...u.reason },
        'destination not sent: its container cannot carry the camera codec',
      );
    }
    this.unsentLogged = keys;
  }

  /** Said once: a box where taskset or chrt fails runs its ffmpeg unplaced. */
  private onPlacementError = (reason: string): void => {
    if (this.placementWarned) return;
    this.placementWarned = true;
    this.logger.warn({ reason }, 'could not keep ffmpeg on its CPU (taskset/chrt): it runs unplaced');
  };

  /**
   * Where backfill of a destination that just went down starts: what it last proved it read,
   * less the margin (backfill.marginSeconds, else the highest window the peer advertised, at least
   * one segment). Sending a segment twice is cheap; losing one is not.
   */
  owedFrom(cameraId: string, destinationId: string): number | null {
    for (const r of this.relays) {
      const st = r.status();
      if (st.cameraId !== cameraId) continue;
      const d = st.destinations.find((x) => x.destinationId === destinationId);
      if (!d) continue;
      if (d.deliveredUntil === null) return null;
      // The relay keeps monotonic time; the ledger dates in the wall clock's present timebase.
      return wallOf(d.deliveredUntil - backfillMarginMs(this.cfg, d.windowMs ?? null));
    }
    return null;
  }

  /** Each live destination's acknowledged rate beside its camera's (relay-ticker.ts); null before start. */
  liveRates(now = monoNow()): LiveRates | null {
    return this.ticker?.liveRates(now) ?? null;
  }

  /** Why the supervisors' ticker looks stuck (for the watchdog), or null; null too before start. */
  tickProblem(now = monoNow()): string | null {
    return this.ticker?.problem(now) ?? null;
  }

  async stop(): Promise<void> {
    this.signal = null;
    this.ticker?.stop();
    this.ticker = null;
    await this.applying;
    const relays = this.relays;
    this.relays = [];
    this.running = [];
    await Promise.all(relays.map((r) => r.stop()));
  }

  /**
   * The wall clock stepped back: a recording names its segments by the second each opens, so the
   * same run would reach names it already wrote and overwrite them. Each recording camera process
   * starts a new run (a few seconds of its relay and recording, accounted); nothing kept is lost.
   */
  async newRecordingRuns(reason: string): Promise<number> {
    const recording = this.relays.filter((r) => r.status().recording !== null);
    await Promise.all(recording.map((r) => r.restart(reason)));
    return recording.length;
  }

  async restartCamera(cameraId: string): Promise<boolean> {
    const mine = this.relays.filter((r) => r.status().cameraId === cameraId);
    await Promise.all(mine.map((r) => r.restart('restart requested')));
    return mine.length > 0;
  }

  lastError(cameraId: string, destinationId: string): string | null {
    for (const r of this.relays) {
      const st = r.status();
      if (st.cameraId !== cameraId) continue;
      const d = st.destinations.find((x) => x.destinationId === destinationId);
      if (d) return d.lastError;
    }
    return null;
  }

  status(): {
    ffmpeg: string | null;
    uplinkKbps: number | null;
    warnings: string[];
    unsent: UnsentOutput[];
    streams: StreamRelayStatus[];
  } {
    return {
      ffmpeg: this.version?.text ?? null,
      uplinkKbps: this.plan?.uplinkKbps ?? null,
      warnings: this.plan?.warnings ?? [],
      unsent: this.plan?.unsent ?? [],
      streams: this.relays.map((r) => r.status()),
    };
  }
}
