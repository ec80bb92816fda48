// What the gateway learnt about one device, usable or not. Discover, diagnose and the inventory read it.
import type { AuthScheme, DeviceInformation, MediaProfile } from './camera.ts';
import type { CameraSource } from './inventory.ts';

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
}

/** A device is usable when it gave at least one video profile with a stream URI. */
export function isUsable(r: DeviceReport): boolean {
  return r.error === null && r.profiles.some((p) => p.streamUri !== null);
}
