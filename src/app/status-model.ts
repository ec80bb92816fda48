// The status document served on the local socket and printed by `edge-gateway status`.
import type { BackfillStatus } from '../buffer/backfill.ts';
import type { StreamRelayStatus } from '../relay/stream-relay.ts';
import type { SupervisorStatus } from '../relay/supervisor.ts';
import { cpuPercent } from '../relay/proc-stats.ts';

export interface PartStatus {
  state: SupervisorStatus['state'];
  fps: number | null;
  kbps: number | null;
  lastFrameAgeSeconds: number | null;
  restartsLastHour: number;
  uptimeSeconds: number | null;
  lastError: string | null;
  pid: number | null;
}

export interface StreamStatus extends PartStatus {
  cameraId: string;
  profile: string;
  /** The local recorder of this stream, when it is the recorded one. */
  recording: PartStatus | null;
  destinations: (PartStatus & { id: string; transcoding: boolean; cpuPercent: number | null })[];
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
  backfill?: BackfillStatus;
}

const secs = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

function part(s: SupervisorStatus): PartStatus {
  return {
    state: s.state,
    fps: s.fps,
    kbps: s.kbps,
    lastFrameAgeSeconds: secs(s.lastFrameAgeMs),
    restartsLastHour: s.restartsLastHour,
    uptimeSeconds: secs(s.uptimeMs),
    lastError: s.lastError,
    pid: s.pid,
  };
}

export function streamStatus(r: StreamRelayStatus): StreamStatus {
  return {
    cameraId: r.cameraId,
    profile: r.profileToken,
    ...part(r.ingest),
    recording: r.recording ? part(r.recording) : null,
    destinations: r.destinations.map((d) => ({
      id: d.destinationId,
      ...part(d),
      transcoding: d.transcoding,
      cpuPercent: d.transcoding ? cpuPercent(d.pid) : null,
    })),
  };
}
