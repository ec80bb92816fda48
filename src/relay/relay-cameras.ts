// The cameras the relay takes: enabled inventory cameras plus manual RTSP entries, each with the
// credentials it is pulled with.
import type { Config } from '../config/schema.ts';
import type { MediaProfile } from '../core/camera.ts';
import type { InventoryCamera } from '../core/inventory.ts';
import { normaliseStreamUri } from '../core/stream-uri.ts';
import { registerSecret } from '../log/secrets.ts';
import type { Credentials } from './stream-relay.ts';

export interface CameraSource {
  id: string;
  profiles: MediaProfile[];
  credentials: Credentials | null;
}

/** Cameras to relay: enabled inventory cameras plus manual RTSP entries, credentials resolved. */
export function relayCameras(cfg: Config, inventory: InventoryCamera[]): CameraSource[] {
  const entries = new Map(cfg.cameras.map((c) => [c.id, c]));
  const defaults = cfg.discovery.username
    ? { username: cfg.discovery.username, password: cfg.discovery.password ?? '' }
    : null;
  const out: CameraSource[] = [];
  for (const cam of inventory) {
    const entry = entries.get(cam.id);
    if (entry?.enabled === false || entry?.url) continue;
    if (!cam.profiles.some((p) => p.streamUri)) continue;
    const creds = entry?.username ? { username: entry.username, password: entry.password ?? '' } : defaults;
    out.push({ id: cam.id, profiles: cam.profiles, credentials: creds });
  }
  for (const entry of cfg.cameras) {
    if (!entry.url || !entry.enabled) continue;
    const parsed = new URL(entry.url.trim());
    // A password written inside the URL is a secret like any other: scrub it wherever it shows.
    if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
    const fromUrl = parsed.username
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : null;
    const creds = entry.username ? { username: entry.username, password: entry.password ?? '' } : fromUrl;
    const uri = normaliseStreamUri(entry.url, { cameraHost: parsed.hostname }).uri;
    out.push({
      id: entry.id,
      credentials: creds,
      profiles: [
        {
          token: 'manual',
          name: entry.name ?? entry.id,
          encoding: 'H264',
          width: null,
          height: null,
          fps: null,
          bitrateKbps: null,
          streamUri: uri,
        },
      ],
    });
  }
  return out;
}
