// /healthz and /metrics over real HTTP from the HealthServer, with a made-up gateway state (the
// daemon's own is checked in notify.test.ts); the exposition is judged by Prometheus' promtool.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthServer, type HealthSource } from '../../src/app/health-server.ts';
import type { GatewayStatus } from '../../src/core/status.ts';
import { createLogger } from '../../src/log/logger.ts';
import { part, stream } from '../telemetry/harness.ts';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let healthy = true;
const status: GatewayStatus = {
  site: { id: 'khu-a', name: 'Khu A' },
  version,
  pid: 1,
  startedAt: new Date().toISOString(),
  uptimeSeconds: 10,
  ffmpeg: '5.1',
  uplinkKbps: 8000,
  warnings: [],
  unsent: [
    {
      cameraId: 'yard',
      destinationId: 'national',
      reason: { code: 'codec-container', codec: 'H265', protocol: 'rtmp', ffmpeg: '5.1' },
      message: 'H.265 cannot be sent over RTMP with ffmpeg 5.1; choose an H.264 profile or enable transcode',
    },
  ],
  streams: [
    { ...stream('gate-1', 'live', { national: 'live', ioc: 'backing-off' }), recording: part('live') },
    stream('ward-b', 'stalled', { national: 'starting' }),
  ],
  backfill: {
    uploading: true,
    inFlight: 1,
    pendingSegments: 3,
    pendingBytes: 12_000_000,
    pendingSeconds: 540,
    oldestPendingAt: null,
    capKbps: null,
    delivered: 0,
    failedAttempts: 0,
    lost: 0,
    bytesSent: 0,
    lastError: null,
  },
};
status.streams[0]!.destinations[0]!.availability24h = 0.9931;
status.streams[0]!.destinations[1]!.restartsTotal = 4;

const source: HealthSource = {
  health: () => (healthy ? { ok: true, reasons: [] } : { ok: false, reasons: ['store not writable'] }),
  status: () => status,
  telemetryState: () => ({ brokerConnected: false, outboxDepth: 7, heartbeatAgeMs: 20_000 }),
  recordingDir: '/',
};
let server: HealthServer;
let base: string;

beforeAll(async () => {
  server = new HealthServer(0, source, createLogger({ level: 'fatal' }));
  await server.start();
  base = `http://127.0.0.1:${server.boundPort}`;
});
afterAll(() => server.stop());

describe('health and metrics listener', () => {
  it('answers /healthz 200 when healthy and 503 with the reasons when not', async () => {
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    healthy = false;
    const bad = await fetch(`${base}/healthz`);
    healthy = true;
    expect(bad.status).toBe(503);
    expect(await bad.json()).toEqual({ ok: false, reasons: ['store not writable'] });
  });

  it('serves /metrics that promtool accepts, per camera and destination', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const lines = body.split('\n');
    const value = (series: string) => lines.find((l) => l.startsWith(`${series} `))?.split(' ')[1];
    expect(value(`edge_gateway_build_info{version="${version}",node="${process.versions.node}"}`)).toBe('1');
    expect(
      value(
        'edge_gateway_stream_state{camera="gate-1",part="destination",destination="ioc",state="backing-off"}',
      ),
    ).toBe('1');
    expect(
      value('edge_gateway_stream_state{camera="gate-1",part="destination",destination="ioc",state="live"}'),
    ).toBe('0');
    expect(
      value('edge_gateway_stream_state{camera="ward-b",part="ingest",destination="",state="stalled"}'),
    ).toBe('1');
    // A destination the camera's codec cannot go to: its own state, never a restart.
    const yard = 'camera="yard",part="destination",destination="national"';
    expect(value(`edge_gateway_stream_state{${yard},state="not-sent"}`)).toBe('1');
    expect(value(`edge_gateway_stream_state{${yard},state="backing-off"}`)).toBe('0');
    expect(value(`edge_gateway_stream_restarts_total{${yard}}`)).toBe('0');
    expect(value('edge_gateway_stream_fps{camera="gate-1",part="ingest",destination=""}')).toBe('25');
    expect(value('edge_gateway_stream_bytes_per_second{camera="gate-1",part="ingest",destination=""}')).toBe(
      '500000',
    );
    expect(
      value('edge_gateway_stream_restarts_total{camera="gate-1",part="destination",destination="ioc"}'),
    ).toBe('4');
    expect(
      value('edge_gateway_stream_last_frame_age_seconds{camera="gate-1",part="recording",destination=""}'),
    ).toBe('0.2');
    expect(value('edge_gateway_destination_availability_ratio{camera="gate-1",destination="national"}')).toBe(
      '0.9931',
    );
    expect(value('edge_gateway_backlog_seconds')).toBe('540');
    expect(value('edge_gateway_backlog_bytes')).toBe('12000000');
    expect(Number(value('edge_gateway_disk_free_bytes'))).toBeGreaterThan(0);
    expect(value('edge_gateway_broker_connected')).toBe('0');
    expect(value('edge_gateway_outbox_events')).toBe('7');
    expect(Number(value('edge_gateway_heartbeat_age_seconds'))).toBeGreaterThanOrEqual(20);
    expect(value('edge_gateway_healthy')).toBe('1');
  });

  it('drops the series of a camera that went away', async () => {
    const removed = status.streams.pop()!;
    try {
      const body = await (await fetch(`${base}/metrics`)).text();
      expect(body).not.toContain('camera="ward-b"');
    } finally {
      status.streams.push(removed);
    }
  });

  it('answers 404 elsewhere and 405 to anything but GET', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
