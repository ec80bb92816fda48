// The relay's side of "camera accounts are never locked by the gateway" (issue 12 item 4): an RTSP
// pull refused with 401 or 403 is counted against the camera's hold (core/auth-holds.ts, shared
// with discovery), and the camera's ffmpeg is not started again with the same credentials until
// the hold allows. New credentials come with a new relay (reload, remote command), so a new key.
import type { AuthHolds } from '../core/auth-holds.ts';
import type { LoginGate } from './supervisor.ts';

/**
 * ffmpeg 5.1 at -loglevel error says `method DESCRIBE failed: 401 Unauthorized`. Only the methods
 * of a pull: a destination's refusal (ANNOUNCE, RECORD) is not the camera's.
 */
const REFUSED = /method (?:OPTIONS|DESCRIBE|SETUP|PLAY) failed: (401 Unauthorized|403 Forbidden)/;

export function rtspRefusal(lines: string[]): string | null {
  for (const line of lines) {
    const m = REFUSED.exec(line);
    if (m?.[1]) return m[1];
  }
  return null;
}

export interface CameraLoginOptions {
  holds: AuthHolds;
  /** The camera's host: one account for ONVIF and RTSP. */
  host: string;
  /** credentialsKey() of the credentials the pull uses. */
  key: string;
  /** After each refusal: when the camera is asked again (null: once the credentials change). */
  onRefused: (refusal: string, retryAt: number | null) => void;
}

export function cameraLogin(o: CameraLoginOptions): LoginGate {
  return {
    refusal: rtspRefusal,
    refused: () => void o.holds.rejected(o.host, o.key, 1, 'rtsp'),
    announce: (refusal) => o.onRefused(refusal, o.holds.retryAt(o.host)),
    accepted: () => o.holds.accepted(o.host, 'rtsp'),
    waitMs() {
      if (o.holds.mayTry(o.host, o.key)) return null;
      const at = o.holds.retryAt(o.host);
      return at === null ? Infinity : Math.max(0, at - o.holds.now());
    },
    retryAt: () => o.holds.retryAt(o.host),
  };
}
