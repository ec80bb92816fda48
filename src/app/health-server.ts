// The loopback HTTP listener (http.port; off when unset): /healthz for a container HEALTHCHECK or
// a monitor (200, or 503 with the failing reasons), /metrics for Prometheus. It binds 127.0.0.1
// only: nothing here is meant for the site's network.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readDiskUsage } from '../health/host-files.ts';
import type { Logger } from '../log/logger.ts';
import type { GatewayMetrics, MetricsSnapshot, PartSnapshot } from '../service/metrics.ts';
import { version } from '../service/version.ts';
import type { Module } from '../core/module.ts';
import type { GatewayStatus, PartStatus } from '../core/status.ts';

export interface HealthSource {
  health(): { ok: boolean; reasons: string[] };
  status(): GatewayStatus;
  telemetryState(): { brokerConnected: boolean; outboxDepth: number | null; heartbeatAgeMs: number | null };
  recordingDir: string;
}

function part(
  camera: string,
  kind: PartSnapshot['part'],
  destination: string,
  p: Pick<PartStatus, 'fps' | 'kbps' | 'restartsTotal' | 'lastFrameAgeSeconds'> & { state: string },
) {
  return {
    camera,
    part: kind,
    destination,
    state: p.state,
    fps: p.fps,
    kbps: p.kbps,
    restartsTotal: p.restartsTotal,
    lastFrameAgeSeconds: p.lastFrameAgeSeconds,
    availability24h: null,
  };
}

/** A destination in no process (relay-plan.ts `unsent`): no figures, never restarted. */
const NOT_SENT = {
  state: 'not-sent',
  fps: null,
  kbps: null,
  restartsTotal: 0,
  lastFrameAgeSeconds: null,
} as const;

export function snapshot(src: HealthSource): MetricsSnapshot {
  const status = src.status();
  const t = src.telemetryState();
  const parts: PartSnapshot[] = status.streams.flatMap((s) => [
    part(s.cameraId, 'ingest', '', s),
    ...(s.recording ? [part(s.cameraId, 'recording', '', s.recording)] : []),
    ...s.destinations.map((d) => ({
      ...part(s.cameraId, 'destination', d.id, d),
      availability24h: d.availability24h,
    })),
  ]);
  for (const u of status.unsent) parts.push(part(u.cameraId, 'destination', u.destinationId, NOT_SENT));
  return {
    version: version(),
    healthy: src.health().ok,
    parts,
    backlogSeconds: status.backfill?.pendingSeconds ?? null,
    backlogBytes: status.backfill?.pendingBytes ?? null,
    diskFreeBytes: readDiskUsage(src.recordingDir)?.free ?? null,
    brokerConnected: t.brokerConnected,
    outboxEvents: t.outboxDepth,
    heartbeatAgeSeconds: t.heartbeatAgeMs === null ? null : Math.max(0, t.heartbeatAgeMs / 1000),
  };
}

export class HealthServer implements Module {
  readonly name = 'http';
  private server: http.Server | null = null;
  private metrics: GatewayMetrics | null = null;

  constructor(
    private readonly port: number | undefined,
    private readonly source: HealthSource,
    private readonly logger: Logger,
  ) {}

  /** The bound port (differs from the configured one only when it is 0, in tests). */
  get boundPort(): number | null {
    return (this.server?.address() as AddressInfo | null)?.port ?? null;
  }

  async start(): Promise<void> {
    if (this.port === undefined) return;
    // prom-client is loaded only when the listener is on: a daemon without it does not carry it.
    const { GatewayMetrics } = await import('../service/metrics.ts');
    this.metrics = new GatewayMetrics();
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.logger.info({ port: this.boundPort }, 'health and metrics listening on 127.0.0.1');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/healthz') {
        const h = this.source.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h.ok ? { ok: true } : { ok: false, reasons: h.reasons }));
      } else if (path === '/metrics' && this.metrics) {
        const body = await this.metrics.render(snapshot(this.source));
        res.writeHead(200, { 'content-type': this.metrics.contentType }).end(body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /healthz, /metrics\n');
      }
    } catch (err) {
      this.logger.error({ err }, 'health request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
