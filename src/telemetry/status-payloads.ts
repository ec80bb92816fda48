// The retained documents: the site's birth and death, and one status per camera. Pure.
// Shapes are documented in docs/telemetry/*.schema.json; the tests validate against them.
import type { GatewayStatus, StreamStatus, UnsentStatus } from '../core/status.ts';
import type { CameraHealth } from '../core/events.ts';

export interface SitePresence {
  online: boolean;
  session: number;
  version: string;
  startedAt: string;
  cameras: number;
  /** When it was published; null in the last will, which the broker sends at a time we cannot know. */
  at: string | null;
  /** Why it went offline: the daemon stopped, or the broker lost it (the will). */
  reason: 'stopped' | 'connection-lost' | null;
}

export function presence(
  s: GatewayStatus,
  session: number,
  kind: 'birth' | 'will' | 'stopped',
  now = new Date(),
): SitePresence {
  return {
    online: kind === 'birth',
    session,
    version: s.version,
    startedAt: s.startedAt,
    cameras: cameraIds(s).length,
    at: kind === 'will' ? null : now.toISOString(),
    reason: kind === 'birth' ? null : kind === 'will' ? 'connection-lost' : 'stopped',
  };
}

export function cameraIds(s: GatewayStatus): string[] {
  return [...new Set([...s.streams.map((x) => x.cameraId), ...s.unsent.map((x) => x.cameraId)])].sort();
}

export interface CameraDestination {
  id: string;
  /** A part's state, or not-sent: the camera's codec does not fit it (relay-plan.ts). */
  state: string;
  up: boolean;
  fps: number | null;
  kbps: number | null;
  lastFrameAgeSeconds: number | null;
  restartsLastHour: number;
  /** Failed relay.failingAfter times in a row. */
  failing: boolean;
  /** Only with not-sent: why this destination gets nothing from the camera. */
  reason?: string;
}

export interface CameraStatusPayload {
  cameraId: string;
  state: CameraHealth;
  since: string;
  profile: string | null;
  fps: number | null;
  kbps: number | null;
  lastFrameAgeSeconds: number | null;
  restartsLastHour: number;
  /** The camera refused the RTSP login: held until authRetryAt (null: until new credentials). */
  authFailed: boolean;
  authRetryAt: string | null;
  /** Failed relay.failingAfter times in a row (issue 12 item 6). */
  failing: boolean;
  destinations: CameraDestination[];
  /** The local recorder of the camera's main stream: its state, or null when recording is off. */
  recording: { state: string; restartsLastHour: number; lastError: string | null; failing: boolean } | null;
  session: number;
  at: string;
}

/**
 * A camera's document from its streams (a camera relays one stream today; the first one speaks),
 * and the destinations it is not sent to, with why.
 */
export function cameraStatus(
  cameraId: string,
  streams: StreamStatus[],
  state: CameraHealth,
  since: string,
  session: number,
  now = new Date(),
  unsent: UnsentStatus[] = [],
): CameraStatusPayload {
  const s = streams.find((x) => x.cameraId === cameraId);
  return {
    cameraId,
    state,
    since,
    profile: s?.profile ?? null,
    fps: s?.fps ?? null,
    kbps: s?.kbps ?? null,
    lastFrameAgeSeconds: s?.lastFrameAgeSeconds ?? null,
    restartsLastHour: s?.restartsLastHour ?? 0,
    authFailed: s?.state === 'auth-failed',
    authRetryAt: s?.authRetryAt ?? null,
    failing: (s?.failingSince ?? null) !== null,
    destinations: [
      ...(s?.destinations ?? []).map((d): CameraDestination => ({
        id: d.id,
        state: d.state,
        up: d.state === 'live',
        fps: d.fps,
        kbps: d.kbps,
        lastFrameAgeSeconds: d.lastFrameAgeSeconds,
        restartsLastHour: d.restartsLastHour,
        failing: d.failingSince !== null,
      })),
      ...unsent
        .filter((u) => u.cameraId === cameraId)
        .map((u): CameraDestination => ({
          id: u.destinationId,
          state: 'not-sent',
          up: false,
          fps: null,
          kbps: null,
          lastFrameAgeSeconds: null,
          restartsLastHour: 0,
          failing: false,
          reason: u.message,
        })),
    ],
    recording: (() => {
      const rec = streams.find((x) => x.cameraId === cameraId && x.recording)?.recording;
      return rec
        ? {
            state: rec.state,
            restartsLastHour: rec.restartsLastHour,
            lastError: rec.lastError,
            failing: rec.failingSince !== null,
          }
        : null;
    })(),
    session,
    at: now.toISOString(),
  };
}
