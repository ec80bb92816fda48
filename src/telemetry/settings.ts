// The telemetry settings with defaults applied, in one place (see MQTT_DEFAULTS in the schema).
import { MQTT_DEFAULTS, type Config } from '../config/schema.ts';
import { machineId, stableClientId } from './client-id.ts';

export interface TelemetrySettings {
  siteId: string;
  prefix: string;
  urls: string[];
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  heartbeatMs: number;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  reconnectMs: number[];
  commandSecret: string | null;
  commandWindowMs: number;
  snapshotMaxBytes: number;
}

export function telemetrySettings(cfg: Config, machine = machineId()): TelemetrySettings {
  const m = cfg.mqtt;
  return {
    siteId: cfg.site.id,
    prefix: m.topicPrefix,
    urls: [m.url, ...(m.failover ?? [])],
    clientId: m.clientId ?? stableClientId(cfg.site.id, machine),
    username: m.username,
    password: m.password,
    caFile: m.caFile,
    certFile: m.certFile,
    keyFile: m.keyFile,
    heartbeatMs: (m.heartbeatSeconds ?? MQTT_DEFAULTS.heartbeatSeconds) * 1000,
    keepaliveSeconds: m.keepaliveSeconds ?? MQTT_DEFAULTS.keepaliveSeconds,
    connectTimeoutMs: (m.connectTimeoutSeconds ?? MQTT_DEFAULTS.connectTimeoutSeconds) * 1000,
    reconnectMs: (m.reconnectSeconds ?? MQTT_DEFAULTS.reconnectSeconds).map((s) => s * 1000),
    commandSecret: m.commandSecret ?? null,
    commandWindowMs: (m.commandWindowSeconds ?? MQTT_DEFAULTS.commandWindowSeconds) * 1000,
    snapshotMaxBytes: m.snapshotMaxBytes ?? MQTT_DEFAULTS.snapshotMaxBytes,
  };
}
