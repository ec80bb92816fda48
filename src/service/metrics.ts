// The Prometheus exposition of the gateway (the only importer of prom-client). Every value is set
// from one snapshot taken at scrape time, so a camera that went away disappears with its series.
import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The supervisors' states (auth-failed: the camera refused the login, core/auth-holds.ts), and
 * not-sent: a destination the camera's codec cannot go to (relay-plan.ts).
 */
export const PART_STATES = [
  'starting',
  'live',
  'stalled',
  'backing-off',
  'auth-failed',
  'stopped',
  'not-sent',
] as const;

export interface PartSnapshot {
  camera: string;
  /** ingest: the camera's stream; recording: the local recorder; destination: one platform. */
  part: 'ingest' | 'recording' | 'destination';
  /** Empty for ingest and recording, so every stream series has the same labels. */
  destination: string;
  state: string;
  fps: number | null;
  kbps: number | null;
  restartsTotal: number;
  lastFrameAgeSeconds: number | null;
  /** Destinations only: share of the last 24 h live. */
  availability24h: number | null;
}

export interface MetricsSnapshot {
  version: string;
  healthy: boolean;
  parts: PartSnapshot[];
  backlogSeconds: number | null;
  backlogBytes: number | null;
  diskFreeBytes: number | null;
  brokerConnected: boolean;
  outboxEvents: number | null;
  heartbeatAgeSeconds: number | null;
}

const STREAM = ['camera', 'part', 'destination'] as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly g = {
    build: this.gauge('edge_gateway_build_info', 'Build of the running gateway (always 1).', [
      'version',
      'node',
    ]),
    healthy: this.gauge(
      'edge_gateway_healthy',
      '1 while the watchdog predicate passes (what /healthz says).',
    ),
    state: this.gauge(
      'edge_gateway_stream_state',
      'Supervisor state of each camera ingest, recorder and destination (1 for the current state).',
      [...STREAM, 'state'],
    ),
    fps: this.gauge('edge_gateway_stream_fps', 'Frames per second while live.', STREAM),
    bytes: this.gauge(
      'edge_gateway_stream_bytes_per_second',
      'Bit rate while live, in bytes per second (the camera sent, or the destination acknowledged).',
      STREAM,
    ),
    age: this.gauge(
      'edge_gateway_stream_last_frame_age_seconds',
      'Time since the last frame advanced.',
      STREAM,
    ),
    availability: this.gauge(
      'edge_gateway_destination_availability_ratio',
      'Share of the last 24 h each destination was live (0 to 1).',
      ['camera', 'destination'],
    ),
    backlogSeconds: this.gauge('edge_gateway_backlog_seconds', 'Recorded video still owed to destinations.'),
    backlogBytes: this.gauge('edge_gateway_backlog_bytes', 'Size of the recorded video still owed.'),
    disk: this.gauge('edge_gateway_disk_free_bytes', 'Free space where recordings are kept.'),
    broker: this.gauge('edge_gateway_broker_connected', '1 while the MQTT broker connection is up.'),
    outbox: this.gauge(
      'edge_gateway_outbox_events',
      'Telemetry events kept in the outbox, not yet acknowledged.',
    ),
    heartbeat: this.gauge(
      'edge_gateway_heartbeat_age_seconds',
      'Time since the last heartbeat was published (absent before the first).',
    ),
  };
  private readonly restarts = new Counter({
    name: 'edge_gateway_stream_restarts_total',
    help: 'Restarts of each ingest, recorder and destination since the daemon started.',
    labelNames: STREAM,
    registers: [this.registry],
  });

  private gauge(name: string, help: string, labelNames: readonly string[] = []) {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  async render(s: MetricsSnapshot): Promise<string> {
    this.registry.resetMetrics();
    const g = this.g;
    g.build.set({ version: s.version, node: process.versions.node }, 1);
    g.healthy.set(s.healthy ? 1 : 0);
    for (const p of s.parts) {
      const labels = { camera: p.camera, part: p.part, destination: p.destination };
      for (const st of PART_STATES) g.state.set({ ...labels, state: st }, p.state === st ? 1 : 0);
      this.restarts.inc(labels, p.restartsTotal);
      if (p.fps !== null) g.fps.set(labels, p.fps);
      if (p.kbps !== null) g.bytes.set(labels, (p.kbps * 1000) / 8);
      if (p.lastFrameAgeSeconds !== null) g.age.set(labels, p.lastFrameAgeSeconds);
      if (p.part === 'destination' && p.availability24h !== null)
        g.availability.set({ camera: p.camera, destination: p.destination }, p.availability24h);
    }
    const set = (gauge: Gauge, v: number | null) => v !== null && gauge.set(v);
    set(g.backlogSeconds, s.backlogSeconds);
    set(g.backlogBytes, s.backlogBytes);
    set(g.disk, s.diskFreeBytes);
    g.broker.set(s.brokerConnected ? 1 : 0);
    set(g.outbox, s.outboxEvents);
    set(g.heartbeat, s.heartbeatAgeSeconds);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
