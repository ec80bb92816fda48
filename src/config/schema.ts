// The configuration schema: the single source of truth for every key, its type, default and meaning.
// docs/configuration.md is generated from it (npm run docs:config) and a test keeps the two in step.
import { z } from 'zod';
import { cidr, credentials, port, seconds, slug, urlWithScheme } from './schema-fields.ts';
import { destinationSchema, recordingSchema, relaySchema } from './schema-streams.ts';

export { destinationSchema, recordingSchema, relaySchema };

export const cameraSchema = z
  .strictObject({
    id: slug.meta({ description: 'Stable camera id used in topics, destination URLs and file names.' }),
    name: z.string().max(120).optional().meta({ description: 'Human name, e.g. "Gate 1".' }),
    url: urlWithScheme(['rtsp', 'rtsps']).optional().meta({
      description: 'RTSP stream URL for a camera without ONVIF (or to override the discovered one).',
    }),
    onvif: urlWithScheme(['http', 'https']).optional().meta({
      description: 'ONVIF device service URL, for a camera that discovery cannot reach by multicast.',
    }),
    enabled: z.boolean().default(true),
    ...credentials,
  })
  .meta({
    description:
      'A manual camera (url or onvif), or, with neither, settings for a discovered camera of that id (enabled, credentials).',
  });

export const discoverySchema = z.strictObject({
  enabled: z.boolean().default(true).meta({ description: 'Run discovery at start and on schedule.' }),
  interfaces: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'Network interfaces to probe by multicast; empty means every IPv4 interface.' }),
  subnets: z
    .array(cidr)
    .default([])
    .meta({
      description: 'IPv4 ranges to probe by unicast, for cameras on another VLAN.',
      example: ['192.168.10.0/24'],
    }),
  ports: z
    .array(port)
    .min(1)
    .default([80, 8000, 8080, 8899, 2020, 8088])
    .meta({ description: 'ONVIF ports tried by the unicast scan.' }),
  probeWindowSeconds: seconds(3, 60).meta({ description: 'How long to gather WS-Discovery replies.' }),
  callTimeoutSeconds: seconds(6, 60).meta({ description: 'Timeout of one ONVIF call to one camera.' }),
  maxInFlightPerCamera: z.number().int().min(1).max(4).default(2).meta({
    description: 'ONVIF requests in flight per camera; cheap cameras drop concurrent requests.',
  }),
  multicastAddress: z
    .ipv4()
    .default('239.255.255.250')
    .meta({ description: 'WS-Discovery group (tests only).' }),
  multicastPort: port.default(3702).meta({ description: 'WS-Discovery port (tests only).' }),
  ...credentials,
});

const brokerUrl = urlWithScheme(['mqtt', 'mqtts', 'ws', 'wss']);

/**
 * Telemetry tunables. They are optional without a parsed default (so a parsed mqtt section holds
 * only what the file says) and src/telemetry/settings.ts applies these values; the docs show them.
 */
export const MQTT_DEFAULTS = {
  heartbeatSeconds: 15,
  keepaliveSeconds: 30,
  connectTimeoutSeconds: 10,
  reconnectSeconds: [1, 2, 5, 10, 30, 60],
  commandWindowSeconds: 120,
  snapshotMaxBytes: 524_288,
} as const;

const pemFile = (what: string) =>
  z
    .string()
    .min(1)
    .optional()
    .meta({ description: `PEM file: ${what}.` });

export const mqttSchema = z.strictObject({
  url: brokerUrl.meta({ description: 'Broker URL.' }),
  failover: z
    .array(brokerUrl)
    .optional()
    .meta({ description: 'Further broker URLs, tried in turn when the one before cannot be reached.' }),
  topicPrefix: z
    .string()
    .regex(/^[^#+/][^#+]*[^#+/]$|^[^#+/]$/, 'must not contain + or # nor start or end with /')
    .default('edgegw'),
  ...credentials,
  clientId: z.string().min(1).max(64).optional().meta({
    description: 'MQTT client id; by default derived from site.id and /etc/machine-id, stable per box.',
  }),
  caFile: pemFile('the CA that signed the broker certificate (mqtts://, wss://)'),
  certFile: pemFile('client certificate, for brokers that ask for one'),
  keyFile: pemFile('private key of the client certificate'),
  heartbeatSeconds: z
    .number()
    .positive()
    .max(3600)
    .optional()
    .meta({ description: 'Interval of the heartbeat message.', default: MQTT_DEFAULTS.heartbeatSeconds }),
  keepaliveSeconds: z.number().int().min(1).max(600).optional().meta({
    description: 'MQTT keep-alive; a black-holed uplink is noticed after about 1.5 times this.',
    default: MQTT_DEFAULTS.keepaliveSeconds,
  }),
  connectTimeoutSeconds: z.number().positive().max(120).optional().meta({
    description: 'Time a broker has to accept a connection.',
    default: MQTT_DEFAULTS.connectTimeoutSeconds,
  }),
  reconnectSeconds: z
    .array(z.number().positive().max(3600))
    .min(1)
    .optional()
    .meta({
      description: 'Reconnect delays in order, the last repeating; each gets +-20 % jitter.',
      default: [...MQTT_DEFAULTS.reconnectSeconds],
    }),
  commandSecret: z.string().min(16).optional().meta({
    description:
      'Shared HMAC-SHA256 key that signs remote commands; without it every command is refused. Write it as a ${NAME} reference.',
  }),
  commandWindowSeconds: z.number().int().min(5).max(3600).optional().meta({
    description: 'A command whose timestamp is further than this from the gateway clock is refused.',
    default: MQTT_DEFAULTS.commandWindowSeconds,
  }),
  snapshotMaxBytes: z.number().int().min(1024).max(4_194_304).optional().meta({
    description: 'Largest snapshot image a snapshot command returns.',
    default: MQTT_DEFAULTS.snapshotMaxBytes,
  }),
});

const cron = z
  .string()
  .regex(/^\S+(\s+\S+){4,5}$/, 'must be a cron expression of 5 or 6 fields')
  .or(z.literal('off'));

export const schedulesSchema = z.strictObject({
  timezone: z
    .string()
    .min(1)
    .default('Asia/Ho_Chi_Minh')
    .meta({ description: 'IANA time zone the schedules below are read in.' }),
  rediscover: cron
    .default('30 2 * * *')
    .meta({ description: 'Re-discovery of the site\'s cameras (cron), or "off".' }),
  retention: cron.default('15 * * * *').meta({ description: 'Recording retention pass (cron), or "off".' }),
  availabilityReport: cron.default('5 0 * * *').meta({
    description: 'Daily availability report per camera over the last 24 h (cron), or "off".',
  }),
});

export const configSchema = z
  .strictObject({
    site: z.strictObject({
      id: slug.meta({ description: 'Site id, unique across the operator (topic and URL component).' }),
      name: z.string().min(1).max(200).meta({ description: 'Facility name shown in reports.' }),
    }),
    cameras: z.array(cameraSchema).default([]).meta({ description: 'Manual camera entries.' }),
    discovery: discoverySchema.prefault({}),
    destinations: z.array(destinationSchema).default([]),
    relay: relaySchema.prefault({}),
    cameraLogin: z
      .strictObject({
        attemptsPerHour: z.number().int().min(0).max(60).default(3).meta({
          description:
            'After a camera rejects the credentials (RTSP 401/403, ONVIF NotAuthorized), at most this many tries an hour with the same credentials (0: none until they change). Many cameras lock the account after 5 failures.',
        }),
      })
      .prefault({}),
    uplink: z
      .strictObject({
        kbps: z
          .number()
          .int()
          .min(64)
          .optional()
          .meta({ description: 'Site uplink budget; the relay fits streams under it.' }),
      })
      .prefault({}),
    recording: recordingSchema,
    backfill: z
      .strictObject({
        maxKbps: z.number().int().min(64).optional().meta({
          description: 'Upload rate cap for backfill; default half of uplink.kbps (unlimited without it).',
        }),
        adapt: z.boolean().default(true).meta({
          description:
            'Backfill yields to live: it slows down while a live destination is acknowledged below its camera bitrate and speeds up again when there is room, under maxKbps when set (docs/backfill.md).',
        }),
        retrySeconds: z
          .array(z.number().positive().max(3600))
          .min(1)
          .default([2, 5, 15, 60])
          .meta({ description: 'Delays between failed uploads of a segment, the last repeating.' }),
        timeoutSeconds: seconds(30, 600).meta({
          description: 'A receiver that does not answer within this is a failure.',
        }),
        marginSeconds: z.number().min(0).max(600).optional().meta({
          description:
            'Backfill starts this long before what a destination last proved it read; default the highest receive window it advertised, in seconds of stream, at least one segment.',
        }),
      })
      .prefault({}),
    store: z
      .strictObject({
        path: z
          .string()
          .min(1)
          .default('/var/lib/edge-gateway/gateway.db')
          .meta({ description: 'SQLite database file.' }),
      })
      .prefault({}),
    mqtt: mqttSchema,
    http: z
      .strictObject({
        port: port.optional().meta({
          description:
            'Port of the HTTP listener on 127.0.0.1 (/healthz, /metrics for Prometheus); off when unset.',
          example: 9464,
        }),
      })
      .prefault({}),
    schedules: schedulesSchema.prefault({}),
    log: z
      .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    duplicates(cfg.cameras.map((c) => c.id)).forEach((i) =>
      ctx.addIssue({
        code: 'custom',
        path: ['cameras', i, 'id'],
        message: 'duplicates an earlier camera id',
        input: cfg.cameras[i]!.id,
      }),
    );
    cfg.destinations.forEach((d, i) => {
      if (d.profile === 'auto' && d.maxKbps === undefined && cfg.uplink.kbps === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'maxKbps'],
          message: 'is required with profile "auto" when uplink.kbps is not set',
          input: undefined,
        });
      }
    });
    duplicates(cfg.destinations.map((d) => d.id)).forEach((i) =>
      ctx.addIssue({
        code: 'custom',
        path: ['destinations', i, 'id'],
        message: 'duplicates an earlier destination id',
        input: cfg.destinations[i]!.id,
      }),
    );
  });

function duplicates(ids: string[]): number[] {
  const seen = new Set<string>();
  return ids.flatMap((id, i) => (seen.has(id) ? [i] : (seen.add(id), [])));
}

export type Config = z.output<typeof configSchema>;
export type CameraConfig = z.output<typeof cameraSchema>;
export type DiscoveryConfig = z.output<typeof discoverySchema>;
export type DestinationConfig = z.output<typeof destinationSchema>;
export type RelayConfig = z.output<typeof relaySchema>;
export type RecordingConfig = z.output<typeof recordingSchema>;
export type MqttConfig = z.output<typeof mqttSchema>;
export type SchedulesConfig = z.output<typeof schedulesSchema>;
