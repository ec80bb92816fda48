// The status model: what `edge-gateway status`, the status socket, heartbeats and retained camera
// status are built from. Pure types, so every module can report into it without importing the others.
import type { CodecMismatch } from './codec-fit.ts';

/** auth-failed: the camera refused the login; not asked again until its hold allows (core/auth-holds.ts). */
export type SupervisedState = 'starting' | 'live' | 'stalled' | 'backing-off' | 'auth-failed' | 'stopped';

export interface PartStatus {
  state: SupervisedState;
  fps: number | null;
  kbps: number | null;
  lastFrameAgeSeconds: number | null;
  restartsLastHour: number;
  /** Since the daemon started: a counter for /metrics. */
  restartsTotal: number;
  uptimeSeconds: number | null;
  lastError: string | null;
  pid: number | null;
  /** Failures in a row (0 once it delivers). */
  failures: number;
  /** Failed relay.failingAfter times in a row: since when (issue 12 item 6), else null. */
  failingSince: string | null;
}

export interface StreamStatus extends PartStatus {
  cameraId: string;
  profile: string;
  /** auth-failed: when the camera is asked again (null: once the credentials change). */
  authRetryAt?: string | null;
  /** The local recorder of this stream, when it is the recorded one. */
  recording: PartStatus | null;
  destinations: (PartStatus & {
    id: string;
    transcoding: boolean;
    /** Moved out of the camera's tee after failing: written by an ffmpeg of its own (docs/relay.md). */
    outOfTee: boolean;
    cpuPercent: number | null;
    /** Share of the last 24 h this destination was live (0-1), null before any record. */
    availability24h: number | null;
  })[];
}

/**
 * A destination a camera is not sent to, and why (relay-plan.ts): it is in no process, so it is
 * never retried; it comes back when the configuration, the camera's profiles or ffmpeg change.
 */
export interface UnsentStatus {
  cameraId: string;
  destinationId: string;
  reason: CodecMismatch;
  /** The reason in English (MQTT, logs); `status` prints it in the user's language from `reason`. */
  message: string;
}

/**
 * What the live destinations got acknowledged beside what their camera sent, over the same
 * interval between the relay's last two looks at the TCP table (monotonic `at`, the later look).
 * Backfill yields to them by it (buffer/backfill-pace.ts).
 */
export interface LiveRates {
  at: number;
  destinations: { cameraId: string; destinationId: string; ackedKbps: number; cameraKbps: number }[];
}

export interface BackfillStatus {
  uploading: boolean;
  inFlight: number;
  pendingSegments: number;
  pendingBytes: number;
  pendingSeconds: number;
  oldestPendingAt: string | null;
  /** null: no cap. */
  capKbps: number | null;
  /** The rate backfill may use now, yielding to live (backfill-pace.ts); null with backfill.adapt off. */
  paceKbps?: number | null;
  /** Why the pace is where it is: growing, live short, holding, idle, no evidence. */
  paceReason?: string | null;
  /** Times the pace backed off for live since start. */
  paceBackoffs?: number;
  /** Since start. */
  delivered: number;
  failedAttempts: number;
  lost: number;
  bytesSent: number;
  lastError: { destinationId: string; cameraId: string; error: string; at: string } | null;
}

export interface GatewayStatus {
  site: { id: string; name: string };
  version: string;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  ffmpeg: string | null;
  uplinkKbps: number | null;
  warnings: string[];
  streams: StreamStatus[];
  unsent: UnsentStatus[];
  backfill?: BackfillStatus;
}
