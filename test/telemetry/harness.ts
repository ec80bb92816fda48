// The telemetry module in-process, as the gateway builds it, over a real SQLite file and a real
// broker, with a relay status the test controls and the gateway's event bus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayStatus, StreamStatus } from '../../src/core/status.ts';
import { validateConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { EventBus } from '../../src/core/events.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import type { HostSample } from '../../src/health/host-sampler.ts';
import { TelemetryModule } from '../../src/telemetry/telemetry-module.ts';
import { rediscover } from '../../src/discovery/rediscovery.ts';
import { snapshotUriOf } from '../../src/discovery/snapshot-uri.ts';
import type { PartStatus } from '../../src/core/status.ts';

/** Distinctive secrets: none of them may appear in any payload or log line. */
export const SECRETS = {
  MQTT_PASSWORD: 'mqtt-Pw-7f3a9c1e',
  MQTT_COMMAND_SECRET: 'cmd-Secret-5b2d8e4f0a6c',
  CAM_PASSWORD: 'cam-Pw-3c9e1a7b',
  DEST_PASSWORD: 'dest-Pw-8d4f2b6a',
};

export const SITE = 'test-site';

export function part(state: PartStatus['state']): PartStatus {
  const live = state === 'live';
  return {
    state,
    fps: live ? 25 : null,
    kbps: live ? 4000 : null,
    lastFrameAgeSeconds: live ? 0.2 : null,
    restartsLastHour: 0,
    restartsTotal: 0,
    uptimeSeconds: live ? 10 : null,
    lastError: null,
    pid: null,
    failures: 0,
    failingSince: null,
  };
}

export function stream(
  cameraId: string,
  ingest: PartStatus['state'],
  dests: Record<string, PartStatus['state']>,
): StreamStatus {
  return {
    cameraId,
    profile: 'Profile_1',
    ...part(ingest),
    recording: null,
    destinations: Object.entries(dests).map(([id, s]) => ({
      id,
      ...part(s),
      transcoding: false,
      outOfTee: false,
      cpuPercent: null,
      availability24h: null,
    })),
  };
}

export const fixedSample = (): Promise<HostSample> =>
  Promise.resolve({
    at: new Date().toISOString(),
    cpuPercent: 12.5,
    load: [0.5, 0.4, 0.3],
    memUsedBytes: 512 * 1024 * 1024,
    memTotalBytes: 4 * 1024 * 1024 * 1024,
    disk: { used: 10e9, free: 50e9 },
    cpuTempC: 48.3,
    pi: null,
    clockSynced: true,
  });

export interface Harness {
  cfg: Config;
  dir: string;
  db: Db;
  events: EventBus;
  streams: StreamStatus[];
  telemetry: TelemetryModule;
  logs: () => string;
  start(): Promise<void>;
  /** Stops the module (not the store); a second start() is a new session, as after a restart. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export function harness(
  brokerUrl: string,
  mqtt: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-'));
  const cfg = validateConfig(
    {
      site: { id: SITE, name: 'Test site' },
      cameras: [{ id: 'cam-1', url: 'rtsp://127.0.0.1:1/x', username: 'admin', password: '${CAM_PASSWORD}' }],
      destinations: [
        {
          id: 'national',
          url: 'rtmp://127.0.0.1:1/live/{cameraId}',
          username: 'u',
          password: '${DEST_PASSWORD}',
        },
      ],
      recording: { dir: join(dir, 'rec') },
      store: { path: join(dir, 'gw.db') },
      mqtt: {
        url: brokerUrl,
        password: '${MQTT_PASSWORD}',
        username: 'gw',
        commandSecret: '${MQTT_COMMAND_SECRET}',
        heartbeatSeconds: 0.2,
        keepaliveSeconds: 1,
        connectTimeoutSeconds: 1,
        reconnectSeconds: [0.1, 0.2, 0.4],
        ...mqtt,
      },
      schedules: { rediscover: 'off', retention: 'off', availabilityReport: 'off' },
      ...extra,
    },
    'test.yaml',
    { env: SECRETS },
  );
  let out = '';
  const logger = createLogger({
    level: 'debug',
    destination: { write: (c: string) => ((out += c), true) } as NodeJS.WritableStream,
  });
  const db = openStore(cfg.store.path);
  const events = new EventBus();
  const streams: StreamStatus[] = [];
  const startedAt = new Date().toISOString();
  const status = (): GatewayStatus => ({
    site: { id: SITE, name: 'Test site' },
    version: '0.1.0',
    pid: process.pid,
    startedAt,
    uptimeSeconds: 1,
    ffmpeg: null,
    uplinkKbps: null,
    warnings: [],
    streams,
    unsent: [],
  });
  const make = () =>
    new TelemetryModule({
      cfg,
      logger,
      events,
      status,
      db,
      rediscover: () => rediscover(cfg, db, events),
      snapshotUri: (id) => snapshotUriOf(cfg, db, id),
      restartCamera: (id) => Promise.resolve(id === 'cam-1'),
      sample: fixedSample,
    });
  const h: Harness = {
    cfg,
    dir,
    db,
    events,
    streams,
    telemetry: make(),
    logs: () => out,
    start: () => h.telemetry.start(new AbortController().signal),
    stop: async () => {
      await h.telemetry.stop();
      h.telemetry = make();
    },
    dispose: async () => {
      await h.telemetry.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
