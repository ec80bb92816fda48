// A camera's snapshot URI on first use (the remote `snapshot` command). Discovery reads it only
// where it costs no round trip (onvif/probe-device.ts), so a camera with three video profiles has
// none until then: read here with one signed call, on the camera's clock, with the camera's own
// credentials and under the same login holds as discovery, then kept in the inventory.
import type { Config } from '../config/schema.ts';
import { credentialsKey as keyOf } from '../config/secrets.ts';
import type { AuthHolds } from '../core/auth-holds.ts';
import type { Db } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';

/** A camera refused the credentials lately: they are not sent again until the hold allows. */
export class HeldLoginError extends Error {
  override name = 'HeldLoginError';
}

/**
 * The stored URI, else the one the camera gives now (stored), else null: no such camera, no ONVIF
 * address, or the camera has none. Throws what the camera answered when it could not be read.
 */
export async function snapshotUriOf(
  cfg: Config,
  db: Db,
  cameraId: string,
  holds?: AuthHolds,
): Promise<string | null> {
  const repo = new InventoryRepo(db);
  const cam = repo.get(cameraId);
  if (!cam?.onvifUrl) return null;
  if (cam.snapshotUri) return cam.snapshotUri;
  // Asked of the first video profile: none, nothing to ask (and no login to send).
  if (!cam.profiles.some((p) => p.encoding !== null)) return null;
  const entry = cfg.cameras.find((c) => c.id === cameraId);
  const d = cfg.discovery;
  const creds = entry?.username
    ? { username: entry.username, password: entry.password ?? '' }
    : d.username
      ? { username: d.username, password: d.password ?? '' }
      : null;
  const host = new URL(cam.onvifUrl).hostname;
  if (holds && creds && !holds.mayTry(host, keyOf(creds)))
    throw new HeldLoginError(`camera ${cameraId} refused these credentials lately; not tried again yet`);
  const wasHeld = holds?.isHeld(host) ?? false;
  // Loaded on first use, as discovery is: the daemon keeps no ONVIF code in memory for a rare command.
  const { readSnapshotUri } = await import('../onvif/snapshot-uri.ts');
  try {
    const uri = await readSnapshotUri(
      { onvifUrl: cam.onvifUrl, profiles: cam.profiles },
      {
        credentials: creds,
        timeoutMs: d.callTimeoutSeconds * 1000,
        maxInFlight: d.maxInFlightPerCamera,
        // A camera that already refused these credentials sees one login, never the re-sync retry.
        resyncOnReject: !wasHeld,
      },
    );
    if (creds) holds?.accepted(host);
    if (uri) repo.setSnapshotUri(cameraId, uri);
    return uri;
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    if (holds && creds && (kind === 'not-authorized' || kind === 'locked'))
      holds.rejected(host, keyOf(creds), wasHeld || kind === 'locked' ? 1 : 2);
    throw err;
  }
}
