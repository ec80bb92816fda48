// The relay module: turns the inventory and the configuration into a plan and runs a
// StreamRelay per planned camera stream.
import type { Config } from '../config/schema.ts';
import type { MediaProfile } from '../core/camera.ts';
import type { Module } from '../core/module.ts';
import { planRelay, type PlanCamera, type RelayPlan } from '../core/relay-plan.ts';
import { normaliseStreamUri } from '../core/stream-uri.ts';
import type { InventoryCamera } from '../core/inventory.ts';
import type { Logger } from '../log/logger.ts';
import { registerSecret } from '../log/secrets.ts';
import { allowedCpus, CpuRoundRobin } from './cpu-placement.ts';
import { detectFfmpeg, type FfmpegVersion } from './ffmpeg-version.ts';
import { killOrphans, markChildren, ownerKeyFor } from './orphans.ts';
import { StreamRelay, type Credentials, type RecorderHooks, type StreamRelayStatus } from './stream-relay.ts';
import type { SupervisedState } from './supervisor.ts';
import { freeUdpPorts } from './udp-ports.ts';
import { ByteRates, readSocketBytes } from './socket-bytes.ts';
import { sharedTcpSockets } from './upstream-ack.ts';

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
}

export interface CameraSource {
  id: string;
  profiles: MediaProfile[];
  credentials: Credentials | null;
}

/** Cameras to relay: enabled inventory cameras plus manual RTSP entries, credentials resolved. */
export function relayCameras(cfg: Config, inventory: InventoryCamera[]): CameraSource[] {
  const entries = new Map(cfg.cameras.map((c) => [c.id, c]));
  const defaults = cfg.discovery.username
    ? { username: cfg.discovery.username, password: cfg.discovery.password ?? '' }
    : null;
  const out: CameraSource[] = [];
  for (const cam of inventory) {
    const entry = entries.get(cam.id);
    if (entry?.enabled === false || entry?.url) continue;
    if (!cam.profiles.some((p) => p.streamUri)) continue;
    const creds = entry?.username ? { username: entry.username, password: entry.password ?? '' } : defaults;
    out.push({ id: cam.id, profiles: cam.profiles, credentials: creds });
  }
  for (const entry of cfg.cameras) {
    if (!entry.url || !entry.enabled) continue;
    const parsed = new URL(entry.url.trim());
    // A password written inside the URL is a secret like any other: scrub it wherever it shows.
    if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
    const fromUrl = parsed.username
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : null;
    const creds = entry.username ? { username: entry.username, password: entry.password ?? '' } : fromUrl;
    const uri = normaliseStreamUri(entry.url, { cameraHost: parsed.hostname }).uri;
    out.push({
      id: entry.id,
      credentials: creds,
      profiles: [
        {
          token: 'manual',
          name: entry.name ?? entry.id,
          encoding: 'H264',
          width: null,
          height: null,
          fps: null,
          bitrateKbps: null,
          streamUri: uri,
        },
      ],
    });
  }
  return out;
}

export class RelayManager implements Module {
  readonly name = 'relay';
  private relays: StreamRelay[] = [];
  private plan: RelayPlan | null = null;
  private version: FfmpegVersion | null = null;
  private leftoversEnded = false;
  private ticker: NodeJS.Timeout | null = null;
  private tickMs = 2000;
  private lookedAt = 0;
  private readonly rates = new ByteRates();
  private sampling = false;

  constructor(
    private readonly cfg: Config,
    private readonly cameras: () => CameraSource[],
    private readonly logger: Logger,
    private readonly events: RelayEvents = {},
    private readonly recording: RecordingSource | null = null,
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
    this.logger.info({ ffmpeg: this.version.text }, 'ffmpeg found');
    this.endLeftovers();
    if (signal.aborted) return;

    const cameras = this.cameras();
    const byId = new Map(cameras.map((c) => [c.id, c]));
    const planCameras: PlanCamera[] = cameras.map((c) => ({ id: c.id, profiles: c.profiles }));
    this.plan = planRelay(
      planCameras,
      this.cfg.destinations.filter((d) => d.enabled),
      this.cfg.site.id,
      this.cfg.uplink.kbps,
      this.recording?.enabled ?? false,
    );
    for (const w of this.plan.warnings) this.logger.warn(w);
    const destCreds = new Map(
      this.cfg.destinations.map((d) => [
        d.id,
        d.username ? { username: d.username, password: d.password ?? '' } : null,
      ]),
    );
    const r = this.cfg.relay;
    // One ticker for every destination of every camera: one read of the TCP table per tick at most.
    this.tickMs = Math.min(2000, Math.max(500, (r.stallSeconds * 1000) / 5));
    const cpus = new CpuRoundRobin(r.cpuPinning ? allowedCpus() : []);
    let placementWarned = false;
    const onPlacementError = (reason: string) => {
      if (placementWarned) return;
      placementWarned = true;
      this.logger.warn({ reason }, 'could not keep ffmpeg on its CPU (taskset/chrt): it runs unplaced');
    };
    for (const ingest of this.plan.ingests) {
      if (signal.aborted) return;
      const relay = new StreamRelay({
        plan: ingest,
        udpPorts: await freeUdpPorts(
          ingest.outputs.filter((o) => o.transcode).length + (ingest.record ? 1 : 0),
        ),
        recorder: ingest.record ? this.recording?.hooks(ingest.cameraId) : undefined,
        cameraCredentials: byId.get(ingest.cameraId)?.credentials ?? null,
        destinationCredentials: (id) => destCreds.get(id) ?? null,
        version: this.version,
        stallMs: r.stallSeconds * 1000,
        graceMs: r.startGraceSeconds * 1000,
        backoffMs: r.backoffSeconds.map((s) => s * 1000),
        stopTimeoutMs: r.stopTimeoutSeconds * 1000,
        lookMs: this.tickMs,
        cpu: cpus.next(),
        onPlacementError,
        logger: this.logger,
        onStateChange: (who, state, previous) =>
          this.events.onStateChange?.({
            cameraId: ingest.cameraId,
            destinationId: who.destinationId,
            state,
            previous,
          }),
      });
      this.relays.push(relay);
      relay.start();
    }
    this.ticker = setInterval(() => this.tick(), this.tickMs);
    this.logger.info({ streams: this.relays.length, uplinkKbps: this.plan.uplinkKbps }, 'relay started');
  }

  /**
   * Reading the TCP table walks the kernel's whole connection hash (about 5 ms on a 24 GB machine,
   * however few connections there are), so it is read at every tick only while some destination
   * is not live or shows no acknowledgement, and otherwise every stallMs / 2.
   */
  private tick(): void {
    const now = Date.now();
    const needs = this.relays.map((r) => r.needsSockets());
    const due =
      needs.some((n) => n?.close) ||
      (needs.some(Boolean) && now - this.lookedAt >= (this.cfg.relay.stallSeconds * 1000) / 2);
    if (due) this.lookedAt = now;
    const table = due
      ? sharedTcpSockets(
          now,
          needs.some((n) => n?.v6),
        )
      : null;
    if (table && !this.sampling && this.rates.claimSample(now)) {
      this.sampling = true;
      void readSocketBytes()
        .then((bytes) => bytes && this.rates.update(bytes, Date.now()))
        .finally(() => (this.sampling = false));
    }
    for (const relay of this.relays) relay.tick(now, table, this.rates);
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    const relays = this.relays;
    this.relays = [];
    await Promise.all(relays.map((r) => r.stop()));
  }

  async restartCamera(cameraId: string): Promise<boolean> {
    const mine = this.relays.filter((r) => r.status().cameraId === cameraId);
    await Promise.all(mine.map((r) => r.restart('restart requested')));
    return mine.length > 0;
  }

  async restartRecorders(reason: string): Promise<void> {
    await Promise.all(this.relays.map((r) => r.restartRecorder(reason)));
  }

  deliveredUntil(cameraId: string, destinationId: string): number | null {
    for (const r of this.relays) {
      const st = r.status();
      const d =
        st.cameraId === cameraId ? st.destinations.find((x) => x.destinationId === destinationId) : undefined;
      if (d) return d.deliveredUntil;
    }
    return null;
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
    streams: StreamRelayStatus[];
  } {
    return {
      ffmpeg: this.version?.text ?? null,
      uplinkKbps: this.plan?.uplinkKbps ?? null,
      warnings: this.plan?.warnings ?? [],
      streams: this.relays.map((r) => r.status()),
    };
  }
}
