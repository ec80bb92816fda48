// What the gateway learnt about one device, usable or not. Discover, diagnose and the inventory read it.
import type { AuthScheme, DeviceInformation, MediaProfile } from './camera.ts';
import { cameraIdentity, macOf, type CameraSource, type InventoryRead } from './inventory.ts';
import { normaliseMac, scopeValue } from './scopes.ts';

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
  /** Its MAC address (GetNetworkInterfaces, else the neighbour table, else its announcement), or null. */
  mac?: string | null;
}

/** A device is usable when it gave at least one video profile with a stream URI. */
export function isUsable(r: DeviceReport): boolean {
  return r.error === null && r.profiles.some((p) => p.streamUri !== null);
}

/** The MAC a device announced without a login: its WS-Discovery MAC scope, a plain-MAC endpoint id. */
export function announcedMac(r: DeviceReport): string | null {
  return (
    normaliseMac(scopeValue(r.scopes, 'MAC')) ??
    macOf(r.endpointRef) ??
    // Axis serial numbers are the unit's MAC address.
    (/axis/i.test(r.info?.manufacturer ?? '') ? normaliseMac(r.info?.serial) : null)
  );
}

/**
 * A device's MAC: what it said over ONVIF, else the neighbour table for its address (same network
 * only: behind a router the table holds the router's), else what it announced.
 */
export function deviceMac(r: DeviceReport, neighbours?: ReadonlyMap<string, string>): string | null {
  return r.mac ?? neighbours?.get(r.address) ?? announcedMac(r);
}

/** The stable identity of a reported device (see cameraIdentity). */
export function reportIdentity(r: DeviceReport): string {
  return cameraIdentity({
    endpointRef: r.endpointRef,
    mac: deviceMac(r),
    serial: r.info?.serial,
    manufacturer: r.info?.manufacturer,
    address: `${r.address}:${new URL(r.onvifUrl).port || 80}`,
  });
}

/** What the inventory keeps of a reported device. */
export function toInventoryUpdate(r: DeviceReport): InventoryRead {
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
    mac: deviceMac(r),
    auth: r.auth,
    clockSkewSeconds: r.clockSkewSeconds,
    profiles: r.profiles,
    snapshotUri: r.snapshotUri,
    lastError: r.error ? `${r.error.step}: ${r.error.message}` : null,
  };
}
