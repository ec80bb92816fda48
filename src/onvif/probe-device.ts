// Reads one device end to end: clock, identity, services, profiles (Media2 first), stream and
// snapshot URIs. Stops at the first step that fails and reports which one it was.
import type { MediaProfile, ServiceEndpoints } from '../core/camera.ts';
import type { DeviceProblem, DeviceReport, ProbeStep } from '../core/device-report.ts';
import { macOf, uuidOf, type CameraSource } from '../core/inventory.ts';
import { UriError, checkStreamScheme, normaliseStreamUri } from '../core/stream-uri.ts';
import { OnvifError, isFatal } from './errors.ts';
import { DeviceSession, type SessionOptions } from './session.ts';
import { parseCapabilities } from './parse/capabilities.ts';
import { parseDeviceInformation } from './parse/device-information.ts';
import { parseProfiles, parseProfiles2 } from './parse/profiles.ts';
import { parseServices } from './parse/services.ts';
import { parseMediaUri } from './parse/stream-uri.ts';
import { parseNetworkInterfaces } from './parse/network-interfaces.ts';
import * as req from './parse/requests.ts';

/** NVRs expose dozens of profiles; reading a URI for each would take minutes on a slow device. */
const MAX_URI_PROFILES = 8;

export interface ProbeTarget {
  onvifUrl: string;
  endpointRef?: string | null;
  source: CameraSource;
}

function problem(step: ProbeStep, err: unknown): DeviceProblem {
  if (err instanceof OnvifError) return { step, kind: err.kind, message: err.message };
  if (err instanceof UriError) return { step, kind: 'bad-uri', message: err.message };
  return { step, kind: 'internal', message: (err as Error).message };
}

export async function probeDevice(target: ProbeTarget, opts: SessionOptions): Promise<DeviceReport> {
  const url = new URL(target.onvifUrl);
  const session = new DeviceSession(url, opts);
  const report: DeviceReport = {
    address: url.hostname,
    onvifUrl: target.onvifUrl,
    endpointRef: target.endpointRef ?? null,
    source: target.source,
    info: null,
    clockSkewSeconds: null,
    auth: null,
    mediaVersion: null,
    profiles: [],
    snapshotUri: null,
    mac: null,
    error: null,
    notes: [],
  };
  let step: ProbeStep = 'time';
  try {
    const clock = await session.readClock();
    report.clockSkewSeconds = clock.utc ? Math.round(clock.offsetMs / 1000) : null;
    if (!clock.utc) report.notes.push('the device did not report a UTC time; signing on the local clock');

    step = 'auth';
    const info = parseDeviceInformation(await session.call(url, req.getDeviceInformation()));
    report.info = info;
    report.auth = session.scheme;

    step = 'services';
    // The MAC identifies a device without a UUID across address changes. Read beside the services
    // (one more request in flight, within the per-camera limit), and only when it is needed.
    const needMac = !uuidOf(target.endpointRef) && !macOf(target.endpointRef);
    const [endpoints, mac] = await Promise.all([
      readEndpoints(session, url),
      needMac ? readMac(session, url) : null,
    ]);
    report.mac = mac;

    step = 'profiles';
    const media = await readProfiles(session, endpoints);
    report.mediaVersion = media.version;
    report.profiles = media.profiles;
    if (!media.profiles.some((p) => p.encoding !== null)) {
      throw new OnvifError('unsupported', 'no profile has a video encoder');
    }

    step = 'stream-uri';
    await readUris(session, endpoints, media.version, report);
    if (!report.profiles.some((p) => p.streamUri)) {
      throw new OnvifError('unsupported', report.notes.at(-1) ?? 'no profile gave a usable stream URI');
    }
  } catch (err) {
    report.error = problem(step, err);
    if (report.error.kind === 'refused' || report.error.kind === 'unreachable') report.error.step = 'connect';
  }
  report.auth = session.scheme ?? report.auth;
  return report;
}

/**
 * After the login succeeded. Optional: a camera without GetNetworkInterfaces, or an account without
 * the right to it, is still read; its MAC then comes from the neighbour table or its announcement.
 */
async function readMac(session: DeviceSession, url: URL): Promise<string | null> {
  try {
    const xml = await session.call(url, req.getNetworkInterfaces(), { optional: true });
    return parseNetworkInterfaces(xml, url.hostname);
  } catch {
    return null;
  }
}

async function readEndpoints(session: DeviceSession, url: URL): Promise<ServiceEndpoints> {
  try {
    const s = parseServices(await session.call(url, req.getServices(false)));
    if (s.media || s.media2) return s;
  } catch (err) {
    if (isFatal(err)) throw err;
    // Older firmware has no GetServices (Hikvision answers InvalidArgVal): fall back to GetCapabilities.
  }
  return parseCapabilities(await session.call(url, req.getCapabilities()));
}

async function readProfiles(
  session: DeviceSession,
  endpoints: ServiceEndpoints,
): Promise<{ version: 1 | 2; profiles: MediaProfile[] }> {
  if (endpoints.media2) {
    try {
      const profiles = parseProfiles2(
        await session.call(session.serviceUrl(endpoints.media2), req.getProfiles2()),
      );
      if (profiles.length > 0) return { version: 2, profiles };
    } catch (err) {
      if (isFatal(err)) throw err;
    }
  }
  const profiles = parseProfiles(await session.call(session.serviceUrl(endpoints.media), req.getProfiles()));
  return { version: 1, profiles };
}

async function readUris(
  session: DeviceSession,
  endpoints: ServiceEndpoints,
  version: 1 | 2,
  report: DeviceReport,
): Promise<void> {
  const service = session.serviceUrl(version === 2 ? endpoints.media2 : endpoints.media);
  const video = report.profiles.filter((p) => p.encoding !== null);
  if (video.length > MAX_URI_PROFILES)
    report.notes.push(`${video.length} video profiles; read URIs of the first ${MAX_URI_PROFILES}`);
  const ctx = { cameraHost: session.deviceUrl.hostname, reachedHost: session.deviceUrl.hostname };
  for (const profile of video.slice(0, MAX_URI_PROFILES)) {
    try {
      const request = version === 2 ? req.getStreamUri2(profile.token) : req.getStreamUri(profile.token);
      const raw = parseMediaUri(await session.call(service, request));
      if (!raw) throw new OnvifError('unsupported', `profile ${profile.token} has no stream URI`);
      const norm = normaliseStreamUri(raw, ctx);
      checkStreamScheme(norm.uri);
      profile.streamUri = norm.uri;
      norm.changed.forEach((c) => report.notes.push(`${profile.token}: ${c}`));
    } catch (err) {
      if (isFatal(err)) throw err;
      report.notes.push(`${profile.token}: ${(err as Error).message}`);
    }
  }
  const first = video.find((p) => p.streamUri) ?? video[0];
  if (!first) return;
  try {
    const request = version === 2 ? req.getSnapshotUri2(first.token) : req.getSnapshotUri(first.token);
    const raw = parseMediaUri(await session.call(service, request));
    if (raw) {
      const norm = normaliseStreamUri(raw, ctx);
      checkStreamScheme(norm.uri, ['http', 'https']);
      report.snapshotUri = norm.uri;
    }
  } catch (err) {
    if (isFatal(err)) throw err;
    report.notes.push(`snapshot: ${(err as Error).message}`);
  }
}
