// The snapshot URI of a camera's first video profile. A discovery read asks it only when it costs no
// round trip (probe-device.ts); otherwise it is read on first use, here: the clock and the services
// unsigned side by side, then one signed call on the camera's clock.
import type { MediaProfile } from '../core/camera.ts';
import { checkStreamScheme, normaliseStreamUri } from '../core/stream-uri.ts';
import { readEndpoints } from './endpoints.ts';
import { isFatal } from './errors.ts';
import { parseMediaUri } from './parse/stream-uri.ts';
import * as req from './parse/requests.ts';
import { DeviceSession, type SessionOptions } from './session.ts';

/** GetSnapshotUri of one profile, normalised as stream URIs are (host, credentials), http(s) only. */
export async function askSnapshotUri(
  session: DeviceSession,
  service: URL,
  version: 1 | 2,
  profileToken: string,
): Promise<string | null> {
  const request = version === 2 ? req.getSnapshotUri2(profileToken) : req.getSnapshotUri(profileToken);
  const raw = parseMediaUri(await session.call(service, request));
  if (!raw) return null;
  const host = session.deviceUrl.hostname;
  const norm = normaliseStreamUri(raw, { cameraHost: host, reachedHost: host });
  checkStreamScheme(norm.uri, ['http', 'https']);
  return norm.uri;
}

export interface SnapshotUriTarget {
  onvifUrl: string;
  /** The profiles a discovery read found: the first video profile's snapshot is asked for. */
  profiles: MediaProfile[];
}

/**
 * On first use: null when the camera has no video profile or gives no URI; throws what the camera
 * answered otherwise. Media2 first where offered (the profiles were read there), Media1 if it refuses.
 */
export async function readSnapshotUri(
  target: SnapshotUriTarget,
  opts: SessionOptions,
): Promise<string | null> {
  const first = target.profiles.find((p) => p.encoding !== null);
  if (!first) return null;
  const url = new URL(target.onvifUrl);
  const session = new DeviceSession(url, opts);
  // Nothing is signed before the clock is known: a failed clock read ends it, unsigned.
  const [endpoints] = await Promise.all([readEndpoints(session, url), session.readClock()]);
  if (endpoints.media2) {
    try {
      return await askSnapshotUri(session, session.serviceUrl(endpoints.media2), 2, first.token);
    } catch (err) {
      if (isFatal(err) || !endpoints.media) throw err;
    }
  }
  return askSnapshotUri(session, session.serviceUrl(endpoints.media), 1, first.token);
}
