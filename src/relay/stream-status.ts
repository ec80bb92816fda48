// The relay's part of the status model: supervisor figures in the units `status` shows.
import { wallOf } from '../core/clock.ts';
import type { PartStatus, StreamStatus } from '../core/status.ts';
import { cpuPercent } from './proc-stats.ts';
import type { StreamRelayStatus } from './stream-relay.ts';
import type { SupervisorStatus } from './supervisor.ts';

const secs = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
/** A part's stamps are on the monotonic clock: dated in the wall clock's present timebase. */
const isoMono = (ms: number | null) => (ms === null ? null : iso(wallOf(ms)));

function part(s: SupervisorStatus): PartStatus {
  return {
    state: s.state,
    fps: s.fps,
    kbps: s.kbps,
    lastFrameAgeSeconds: secs(s.lastFrameAgeMs),
    restartsLastHour: s.restartsLastHour,
    restartsTotal: s.restartsTotal,
    uptimeSeconds: secs(s.uptimeMs),
    lastError: s.lastError,
    pid: s.pid,
    failures: s.failures,
    failingSince: isoMono(s.failingSince),
  };
}

/** availability(cameraId, destinationId): the 24 h share, or null when nothing is recorded yet. */
export function streamStatus(
  r: StreamRelayStatus,
  availability: (cameraId: string, destinationId: string) => number | null = () => null,
): StreamStatus {
  return {
    cameraId: r.cameraId,
    profile: r.profileToken,
    ...part(r.ingest),
    ...(r.ingest.state === 'auth-failed' ? { authRetryAt: isoMono(r.ingest.retryAt ?? null) } : {}),
    recording: r.recording ? part(r.recording) : null,
    destinations: r.destinations.map((d) => ({
      id: d.destinationId,
      ...part(d),
      transcoding: d.transcoding,
      outOfTee: d.outOfTee,
      cpuPercent: d.transcoding ? cpuPercent(d.pid) : null,
      availability24h: availability(r.cameraId, d.destinationId),
    })),
  };
}
