// The streaming sections of the configuration: destinations, relay, recording, backfill.
import { z } from 'zod';
import { credentials, seconds, slug, urlWithScheme } from './schema-fields.ts';

export const backfillTargetSchema = z.strictObject({
  url: urlWithScheme(['http', 'https']).meta({
    description:
      'Receiver URL template; {siteId}, {cameraId} and {start} (ISO time of the segment) are replaced.',
    example: 'https://backfill.example.vn/v1/{siteId}/{cameraId}/{start}.ts',
  }),
  method: z.enum(['PUT', 'POST']).default('PUT'),
  token: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Bearer token; write it as a ${NAME} secret reference.' }),
});

export const recordingSchema = z.strictObject({
  dir: z.string().min(1).meta({ description: 'Directory for local segments.' }),
  enabled: z.boolean().default(true).meta({ description: 'Record every relayed camera continuously.' }),
  segmentSeconds: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(4)
    .meta({ description: 'Segment length (cut at the next key frame).' }),
  maxAgeHours: z
    .number()
    .positive()
    .max(24 * 90)
    .default(72)
    .meta({ description: 'Segments older than this are deleted.' }),
  maxGb: z.number().positive().optional().meta({ description: 'Cap on the total size of the spool.' }),
  minFreeMb: z
    .number()
    .min(0)
    .default(1024)
    .meta({ description: 'Free space always kept on the spool volume.' }),
});

export const transcodeSchema = z.strictObject({
  codec: z.enum(['h264']).default('h264'),
  bitrateKbps: z.number().int().min(64).max(20000).meta({ description: 'Target video bitrate.' }),
  width: z.number().int().min(64).max(7680).optional(),
  height: z.number().int().min(64).max(4320).optional(),
  fps: z.number().int().min(1).max(60).optional(),
});

export const destinationSchema = z.strictObject({
  id: slug.meta({ description: 'Destination id, e.g. "national" or "ioc".' }),
  url: urlWithScheme(['rtsp', 'rtsps', 'rtmp', 'rtmps', 'srt'])
    .refine(
      (v) => v.includes('{cameraId}'),
      'must contain the {cameraId} placeholder so cameras do not overwrite each other',
    )
    .meta({
      description: 'Ingest URL template; {siteId} and {cameraId} are replaced. The scheme sets the protocol.',
      example: 'rtmp://ingest.example/live/{siteId}-{cameraId}',
    }),
  enabled: z.boolean().default(true),
  ...credentials,
  backfill: backfillTargetSchema.optional().meta({
    description: 'Where to send what this destination missed while it was down (HTTP PUT or POST).',
  }),
  profile: z
    .enum(['main', 'sub', 'auto'])
    .default('main')
    .meta({ description: 'Which camera stream to send: main, sub, or the best one under maxKbps (auto).' }),
  maxKbps: z.number().int().min(64).optional().meta({ description: 'Bitrate cap used by profile "auto".' }),
  cameras: z
    .array(slug)
    .optional()
    .meta({ description: 'Camera ids this destination takes; all cameras when absent.' }),
  audio: z
    .boolean()
    .default(false)
    .meta({ description: 'Send the camera audio too (copied, never re-encoded).' }),
  transcode: transcodeSchema
    .optional()
    .meta({ description: 'Re-encode for this destination. Costs about ten times the CPU of a copy; avoid.' }),
  tlsVerify: z.boolean().default(true).meta({
    description:
      "rtsps and rtmps: verify the platform's certificate and name (against caFile, else the system's CAs). A certificate that fails keeps the destination off, with the reason in its status. Turn off only for a test platform.",
  }),
  caFile: z.string().min(1).optional().meta({
    description:
      "rtsps and rtmps: PEM file of the CA that signs the platform's certificate (its own certificate when self-signed).",
    example: '/etc/edge-gateway/national-ca.pem',
  }),
});

export const relaySchema = z.strictObject({
  stallSeconds: seconds(10, 300).meta({
    description: 'A stream with no progress for this long is restarted.',
  }),
  startGraceSeconds: seconds(20, 300).meta({
    description: 'Time a starting stream has to deliver its first frames.',
  }),
  backoffSeconds: z
    .array(z.number().positive().max(3600))
    .min(1)
    .default([1, 2, 5, 10, 30, 60])
    .meta({ description: 'Restart delays in order, the last repeating; each gets +-20 % jitter.' }),
  failingAfter: z.number().int().min(0).max(1000).default(10).meta({
    description:
      "Failures in a row after which a camera's ffmpeg, a destination or the recording is `failing`: one alarm event, shown in status and MQTT, retried at the slowest back-off step until it delivers again (0: never). A failing destination of a camera's tee moves to an ffmpeg of its own after teeExitAfterSeconds, which backs off in steps (docs/relay.md).",
  }),
  teeExitAfterSeconds: z.number().int().min(0).max(86_400).default(600).meta({
    description:
      "How long a destination of a camera's tee stays failing, while another destination of the site delivers, before it moves to an ffmpeg of its own (one cut of the camera's recording and other destinations). An uplink down (nothing delivers) never moves it (docs/relay.md).",
  }),
  stopTimeoutSeconds: seconds(3, 8).meta({
    description:
      'Time ffmpeg has to exit after SIGTERM before SIGKILL (at most 8: the daemon stops within 10 s).',
  }),
  cpuPinning: z.boolean().default(true).meta({
    description:
      "Keep each camera's ffmpeg processes on one CPU (cameras spread round-robin) under SCHED_BATCH: 5-10 % less relay CPU on the bench (docs/relay.md). Turn off when other work must own particular CPUs.",
  }),
  statusSocket: z
    .string()
    .min(1)
    .default('/run/edge-gateway/status.sock')
    .meta({ description: 'Unix socket of the local status interface.' }),
});
