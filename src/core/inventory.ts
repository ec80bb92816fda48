// Camera identity and inventory records. Pure: the store persists these, discovery produces them.
import type { AuthScheme, MediaProfile } from './camera.ts';

export type CameraSource = 'discovery' | 'scan' | 'manual';

export interface InventoryCamera {
  id: string;
  identity: string;
  source: CameraSource;
  endpointRef: string | null;
  address: string | null;
  onvifUrl: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  mac: string | null;
  auth: AuthScheme | null;
  clockSkewSeconds: number | null;
  profiles: MediaProfile[];
  snapshotUri: string | null;
  lastError: string | null;
  /** Set while the profiles are the last good ones kept through failed or partial reads: since when. */
  staleSince: string | null;
  firstSeen: string;
  lastSeen: string;
}

/** What one discovery read says about a camera, before it is merged with what the inventory knew. */
export type InventoryRead = Omit<InventoryCamera, 'id' | 'firstSeen' | 'lastSeen' | 'staleSince'>;

const UUID = /^(?:urn:uuid:|uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const MAC =
  /([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;

export function uuidOf(endpointRef: string | null | undefined): string | null {
  const m = endpointRef ? UUID.exec(endpointRef.trim()) : null;
  return m ? m[1]!.toLowerCase() : null;
}

/** A MAC hidden in an endpoint id such as "urn:uuid:...-bcad2801d3e8" is not reliable; only plain MAC ids count. */
export function macOf(endpointRef: string | null | undefined): string | null {
  if (!endpointRef || uuidOf(endpointRef)) return null;
  const m = MAC.exec(endpointRef.trim());
  return m ? m.slice(1, 7).join(':').toLowerCase() : null;
}

/**
 * The stable identity of a camera: its endpoint reference when it is a UUID, else MAC and serial
 * (several Tapo units share one serial, so serial alone never identifies), else its address.
 */
export function cameraIdentity(c: {
  endpointRef?: string | null;
  mac?: string | null;
  serial?: string | null;
  manufacturer?: string | null;
  address?: string | null;
}): string {
  const uuid = uuidOf(c.endpointRef);
  if (uuid) return `uuid:${uuid}`;
  // Normalised, so "AA-BB-..." from one source and "aa:bb:..." from another give one identity.
  const mac = macOf(c.mac) ?? macOf(c.endpointRef);
  const serial = c.serial?.trim() || '';
  if (mac) return `hw:${mac}/${(c.manufacturer ?? '').trim().toLowerCase()}/${serial}`;
  return `addr:${c.address ?? 'unknown'}`;
}

/** A short human id: vendor and the tail of the identity, e.g. "hikvision-3f9a1c". */
export function suggestCameraId(identity: string, manufacturer: string | null): string {
  const vendor =
    (manufacturer ?? 'camera')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 20)
      .replace(/^-|-$/g, '') || 'camera';
  const tail = identity
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(-6);
  return `${vendor}-${tail}`;
}
