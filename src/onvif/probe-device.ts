// Reads one device end to end: clock, identity, services, profiles (Media2 first), stream and
// snapshot URIs. Stops at the first step that fails and reports which one it was.
import type { MediaProfile, ServiceEndpoints } from '../core/camera.ts';
import type { DeviceProblem, DeviceReport, ProbeStep } from '../core/device-report.ts';
import { macOf, uuidOf, type CameraSource } from '../core/inventory.ts';
import { UriError, checkStreamScheme, normaliseStreamUri } from '../core/stream-uri.ts';
import { OnvifError, isFatal } from './errors.ts';
import { DeviceSession, type SessionOptions } from './session.ts';
import { readEndpoints } from './endpoints.ts';
import { parseDeviceInformation } from './parse/device-information.ts';
import { parseProfiles, parseProfiles2 } from './parse/profiles.ts';
import { parseMediaUri } from './parse/stream-uri.ts';
import { parseNetworkInterfaces } from './parse/network-interfaces.ts';
import * as req from './parse/requests.ts';
import { askSnapshotUri } from './snapshot-uri.ts';

/** NVRs expose dozens of profiles; reading a URI for each would take minutes on a slow device. */
const MAX_URI_PROFILES = 8;

export interface ProbeTarget {
  onvifUrl: string;
  endpointRef?: string | null;
  source: CameraSource;
}

/**
 * When a read asks the snapshot URI. 'if-free' (discovery): only when the last round the read needs
 * anyway has a free slot, so it costs no round trip; else it is read on first use (snapshot-uri.ts).
 * 'always': the diagnose ladder and the survey, whose snapshot check needs it.
 */
export type SnapshotRead = 'always' | 'if-free';

export interface ProbeOptions extends SessionOptions {
  snapshot?: SnapshotRead;
}

function problem(step: ProbeStep, err: unknown): DeviceProblem {
  if (err instanceof OnvifError) return { step, kind: err.kind, message: err.message };
  if (err instanceof UriError) return { step, kind: 'bad-uri', message: err.message };
  return { step, kind: 'internal', message: (err as Error).message };
}

/** A failure tagged with the step it belongs to, so parallel branches can be ranked. */
class StepError extends Error {
  constructor(
    readonly step: ProbeStep,
    readonly failure: unknown,
  ) {
    super('step failed');
  }
}
const at = <T>(step: ProbeStep, p: Promise<T>): Promise<T> =>
  p.catch((err: unknown) => {
    throw err instanceof StepError ? err : new StepError(step, err);
  });

/** Which failure a report names when several branches failed: the earliest step of today's order. */
const STEP_ORDER: ProbeStep[] = ['time', 'auth', 'services', 'profiles', 'stream-uri'];
const AUTH_KINDS = ['not-authorized', 'locked', 'no-credentials'];

/**
 * The calls overlap where they do not depend on each other (issue 12, item 7): the clock with
 * GetServices (asked without credentials), the device information with the profiles, all URIs
 * together. The session keeps at most maxInFlight requests on the wire, signs nothing before the
 * clock is known, and bounds the logins a refusing camera sees. A slow camera is read in four of
 * its round trips (five with a MAC to read and more than two video profiles): the calls the read
 * needs come first, the snapshot URI only in a slot they leave free (opts.snapshot).
 */
export async function probeDevice(target: ProbeTarget, opts: ProbeOptions): Promise<DeviceReport> {
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
  // Once a branch failed for good, the others start no new call.
  let failed = false;
  const stopped = new StepError('time', null);
  const go = () => {
    if (failed) throw stopped;
  };
  const clock = at(
    'time',
    session.readClock().then((c) => {
      report.clockSkewSeconds = c.utc ? Math.round(c.offsetMs / 1000) : null;
      if (!c.utc) report.notes.push('the device did not report a UTC time; signing on the local clock');
    }),
  );
  const needMac = !uuidOf(target.endpointRef) && !macOf(target.endpointRef);
  let macRead: Promise<string | null> = Promise.resolve(null);
  // GetProfiles is on the longest path: it goes first as the first signed call, and the device
  // information follows it (the first signed call goes alone until it succeeds).
  let startInfo: () => void = () => undefined;
  let infoDone = false;
  const infoMayGo = new Promise<void>((resolve) => (startInfo = resolve));
  const media = (async () => {
    const endpoints = await at('services', readEndpoints(session, url));
    go();
    const profiles = at('profiles', readProfiles(session, endpoints));
    startInfo();
    const m = await profiles;
    report.mediaVersion = m.version;
    report.profiles = m.profiles;
    // The MAC identifies a device without a UUID across address changes: read once logged in,
    // beside the URIs, and only when it is needed.
    if (needMac) macRead = readMac(session, url);
    if (!m.profiles.some((p) => p.encoding !== null)) {
      throw new StepError('profiles', new OnvifError('unsupported', 'no profile has a video encoder'));
    }
    go();
    // After GetProfiles, maxInFlight calls a round: the device information (unless answered
    // already), the stream URIs and the MAC. The snapshot URI goes only into a slot of their
    // last round, unless the caller needs it whatever it costs.
    const video = Math.min(m.profiles.filter((p) => p.encoding !== null).length, MAX_URI_PROFILES);
    const needed = (infoDone ? 0 : 1) + video + (needMac ? 1 : 0);
    const snapshot = opts.snapshot === 'always' || needed % opts.maxInFlight !== 0;
    await at('stream-uri', readUris(session, endpoints, m.version, report, snapshot));
    if (!report.profiles.some((p) => p.streamUri)) {
      throw new StepError(
        'stream-uri',
        new OnvifError(
          'unsupported',
          report.notes.filter((n) => !n.startsWith('snapshot:')).at(-1) ??
            'no profile gave a usable stream URI',
        ),
      );
    }
  })();
  const info = at(
    'auth',
    infoMayGo
      .then(() => {
        go();
        return session.call(url, req.getDeviceInformation());
      })
      .then((xml) => {
        infoDone = true;
        report.info = parseDeviceInformation(xml);
      }),
  );
  const branches = [clock, info, media].map((p) =>
    p.catch((err: unknown) => {
      failed = true;
      startInfo();
      throw err;
    }),
  );
  const results = await Promise.allSettled(branches);
  report.mac = await macRead;
  const errors = results.flatMap((r) =>
    r.status === 'rejected' && r.reason instanceof StepError ? [r.reason] : [],
  );
  const rank = (e: StepError) =>
    e === stopped
      ? 99
      : e.failure instanceof OnvifError && AUTH_KINDS.includes(e.failure.kind) && e.step !== 'time'
        ? 1
        : STEP_ORDER.indexOf(e.step);
  const first = errors.sort((a, b) => rank(a) - rank(b))[0];
  if (first) {
    // A refusal is reported at the auth step, whichever call met it first.
    const authKind = first.failure instanceof OnvifError && AUTH_KINDS.includes(first.failure.kind);
    report.error = problem(authKind && first.step !== 'time' ? 'auth' : first.step, first.failure);
    if (report.error.kind === 'refused' || report.error.kind === 'unreachable') report.error.step = 'connect';
  }
  report.auth = session.scheme;
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

/** Every stream URI, and the snapshot URI when asked, at once; the session keeps the per-camera limit. */
async function readUris(
  session: DeviceSession,
  endpoints: ServiceEndpoints,
  version: 1 | 2,
  report: DeviceReport,
  withSnapshot: boolean,
): Promise<void> {
  const service = session.serviceUrl(version === 2 ? endpoints.media2 : endpoints.media);
  const video = report.profiles.filter((p) => p.encoding !== null);
  if (video.length > MAX_URI_PROFILES)
    report.notes.push(`${video.length} video profiles; read URIs of the first ${MAX_URI_PROFILES}`);
  const ctx = { cameraHost: session.deviceUrl.hostname, reachedHost: session.deviceUrl.hostname };
  const notes: string[][] = [];
  const streams = video.slice(0, MAX_URI_PROFILES).map(async (profile, i) => {
    const own: string[] = (notes[i] = []);
    try {
      const request = version === 2 ? req.getStreamUri2(profile.token) : req.getStreamUri(profile.token);
      const raw = parseMediaUri(await session.call(service, request));
      if (!raw) throw new OnvifError('unsupported', `profile ${profile.token} has no stream URI`);
      const norm = normaliseStreamUri(raw, ctx);
      checkStreamScheme(norm.uri);
      profile.streamUri = norm.uri;
      norm.changed.forEach((c) => own.push(`${profile.token}: ${c}`));
    } catch (err) {
      if (isFatal(err)) throw err;
      own.push(`${profile.token}: ${(err as Error).message}`);
    }
  });
  // The first video profile's snapshot, asked after the stream URIs: it takes a slot they leave.
  const first = withSnapshot ? video[0] : undefined;
  const snapshotNotes: string[] = [];
  const snapshot = (async () => {
    if (!first) return;
    try {
      report.snapshotUri = await askSnapshotUri(session, service, version, first.token);
    } catch (err) {
      if (isFatal(err)) throw err;
      snapshotNotes.push(`snapshot: ${(err as Error).message}`);
    }
  })();
  const settled = await Promise.allSettled([...streams, snapshot]);
  // Notes in profile order, whatever order the answers came in.
  report.notes.push(...notes.flat(), ...snapshotNotes);
  const fatal = settled.find((r) => r.status === 'rejected');
  if (fatal?.status === 'rejected') throw fatal.reason;
}
