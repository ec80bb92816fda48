// What the gateway learnt about one device, usable or not. Discover, diagnose and the inventory read it.
import type { AuthScheme, DeviceInformation, MediaProfile } from './camera.ts';
import { cameraIdentity, type CameraSource, type InventoryCamera } from './inventory.ts';

export type ProbeStep = 'connect' | 'time' | 'auth' | 'services' | 'profiles' | 'stream-uri' | 'snapshot-uri';

export interface DeviceProblem {
  step: ProbeStep;
  /** An OnvifErrorKind or a UriError kind. */
  kind: string;
  message: string;
}

export interface DeviceReport {
  address: string;
  onvifUrl: string;
  endpointRef: string | null;
  source: CameraSource;
  info: DeviceInformation | null;
  clockSkewSeconds: number | null;
  auth: AuthScheme | null;
  mediaVersion: 1 | 2 | null;
  profiles: MediaProfile[];
  snapshotUri: string | null;
  /** The failure that made the device unusable, or null. */
  error: DeviceProblem | null;
  /** Non-fatal problems and normalisations (a URI host replaced, a profile whose URI failed). */
  notes: string[];
  /** WS-Discovery scopes the device announced (name, hardware, MAC), readable without a login. */
  scopes?: string[];
}

/** A device is usable when it gave at least one video profile with a stream URI. */
export function isUsable(r: DeviceReport): boolean {
  return r.error === null && r.profiles.some((p) => p.streamUri !== null);
}

/** The stable identity of a reported device (see cameraIdentity). */
export function reportIdentity(r: DeviceReport): string {
  return cameraIdentity({
    endpointRef: r.endpointRef,
    serial: r.info?.serial,
    manufacturer: r.info?.manufacturer,
    address: `${r.address}:${new URL(r.onvifUrl).port || 80}`,
  });
}

/** What the inventory keeps of a reported device. */
export function toInventoryUpdate(r: DeviceReport): Omit<InventoryCamera, 'id' | 'firstSeen' | 'lastSeen'> {
  return {
    identity: reportIdentity(r),
    source: r.source,
    endpointRef: r.endpointRef,
    address: r.address,
    onvifUrl: r.onvifUrl,
    manufacturer: r.info?.manufacturer || null,
    model: r.info?.model || null,
    firmware: r.info?.firmware || null,
    serial: r.info?.serial || null,
    mac: null,
    auth: r.auth,
    clockSkewSeconds: r.clockSkewSeconds,
    profiles: r.profiles,
    snapshotUri: r.snapshotUri,
    lastError: r.error ? `${r.error.step}: ${r.error.message}` : null,
  };
}
