// The survey: discovery, then the diagnose ladder and the password check on every camera found or
// configured, a few cameras at a time; the result is the report model (src/report), no text.
import type { Config } from '../config/schema.ts';
import type { DeviceReport } from '../core/device-report.ts';
import { reportIdentity } from '../core/device-report.ts';
import { suggestCameraId } from '../core/inventory.ts';
import { protocolOf } from '../core/relay-plan.ts';
import { diagnoseReport, diagnoseRtsp, type DiagnoseOptions } from '../diagnose/ladder.ts';
import {
  discover,
  discoverOptionsFrom,
  type DiscoverOptions,
  type DiscoverProgress,
} from '../onvif/discover.ts';
import { Limiter } from '../onvif/limiter.ts';
import { probeDevice } from '../onvif/probe-device.ts';
import type { Credentials } from '../onvif/transport.ts';
import { REPORT_VERSION, type SurveyCamera, type SurveyReport } from '../report/model.ts';
import { recommend } from '../report/recommend.ts';
import { uplinkNeed, type UplinkCamera } from '../report/uplink.ts';
import { readBox } from './box.ts';
import { rtspOnlyCamera, surveyCamera, vendorOf } from './camera-row.ts';
import { readArp } from '../onvif/neighbours.ts';
import { checkPasswords } from './password-check.ts';

export type SurveyProgress =
  | DiscoverProgress
  | { phase: 'camera'; done: number; total: number; id: string; verdict: SurveyCamera['verdict'] };

export interface SurveyOptions {
  cfg: Config | null;
  /** Flags that override the configuration's discovery settings. */
  discover?: Partial<DiscoverOptions>;
  technician: string | null;
  gatewayVersion: string;
  measureSeconds?: number;
  progress?: (e: SurveyProgress) => void;
  now?: () => Date;
}

/** Cameras read at once: each runs an ffprobe for a few seconds, and the box has 2 to 4 cores. */
const CAMERA_CONCURRENCY = 3;

const hostPort = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
};

export async function runSurvey(opts: SurveyOptions): Promise<SurveyReport> {
  const cfg = opts.cfg;
  const date = (opts.now ?? (() => new Date()))();
  const manual = (cfg?.cameras ?? []).filter((c) => c.enabled);
  const byOnvif = new Map(manual.filter((c) => c.onvif).map((c) => [hostPort(c.onvif!), c]));
  const ownCredentials = (url: string): Credentials | undefined => {
    const c = byOnvif.get(hostPort(url));
    return c?.username ? { username: c.username, password: c.password ?? '' } : undefined;
  };
  const base = { ...discoverOptionsFrom(cfg), ...opts.discover };
  const credentialsOf = (url: string) => ownCredentials(url) ?? base.credentials;
  const ladder = (credentials: Credentials | null): DiagnoseOptions => ({
    credentials,
    timeoutMs: base.callTimeoutMs,
    maxInFlight: base.maxInFlightPerCamera,
    measureSeconds: opts.measureSeconds ?? 2,
  });
  const arpBefore = readArp();
  const limiter = new Limiter(CAMERA_CONCURRENCY);
  const rtspOnly = manual.filter((c) => c.url && !c.onvif);
  let read = 0;
  let done = 0;
  const profilesOf = new Map<string, DeviceReport['profiles']>();
  // The total grows while discovery still reads devices; it is final once discovery returns.
  const tell = (cam: SurveyCamera) =>
    opts.progress?.({
      phase: 'camera',
      done: ++done,
      total: read + rtspOnly.length,
      id: cam.id,
      verdict: cam.verdict,
    });

  const onvifRow = (first: DeviceReport) =>
    limiter.run(async () => {
      let report = first;
      let known = credentialsOf(report.onvifUrl);
      const id =
        byOnvif.get(hostPort(report.onvifUrl))?.id ??
        suggestCameraId(reportIdentity(report), vendorOf(report));
      let diagnosis = await diagnoseReport(report, ladder(known));
      const pw = await checkPasswords(report, diagnosis, known, vendorOf(report), base.callTimeoutMs);
      if (pw.accepted && report.error?.step === 'auth') {
        // The camera let us in with a blank or default password: read it with that, for the report.
        known = pw.accepted;
        report = await probeDevice(
          { onvifUrl: report.onvifUrl, endpointRef: report.endpointRef, source: report.source },
          {
            credentials: known,
            timeoutMs: base.callTimeoutMs,
            maxInFlight: base.maxInFlightPerCamera,
            snapshot: 'always',
          },
        );
        report.scopes = first.scopes;
        diagnosis = await diagnoseReport(report, ladder(known));
      }
      const cam = surveyCamera(id, report, diagnosis, pw.finding, arpBefore);
      profilesOf.set(id, report.profiles);
      tell(cam);
      return cam;
    });
  // Each camera is diagnosed as soon as it is read: a slow camera does not hold back the others.
  const rows = new Map<DeviceReport, Promise<SurveyCamera>>();
  const found = await discover({
    ...base,
    credentialsFor: ownCredentials,
    progress: opts.progress,
    // Each camera's snapshot is checked (the ladder's last step): its URI is read with the rest.
    snapshot: 'always',
    onDevice: (report) => {
      read++;
      rows.set(report, onvifRow(report));
    },
  });
  read = found.devices.length;
  const onvifRows = found.devices.map((d) => rows.get(d) ?? onvifRow(d));
  const rtspRows = rtspOnly.map((c) =>
    limiter.run(async () => {
      const creds = c.username ? { username: c.username, password: c.password ?? '' } : null;
      const diagnosis = await diagnoseRtsp(c.url!, ladder(creds));
      const cam = rtspOnlyCamera(c.id, c.url!, diagnosis, arpBefore);
      profilesOf.set(c.id, [
        {
          token: 'url',
          name: 'url',
          encoding: diagnosis.measured?.codec ?? 'H264',
          width: diagnosis.measured?.width ?? null,
          height: diagnosis.measured?.height ?? null,
          fps: diagnosis.measured?.fps ?? null,
          bitrateKbps: diagnosis.measured?.bitrateKbps ?? null,
          streamUri: c.url!,
        },
      ]);
      tell(cam);
      return cam;
    }),
  );
  const cameras = [...(await Promise.all(onvifRows)), ...(await Promise.all(rtspRows))];
  // The kernel learnt the MACs while we talked to the cameras.
  const arp = readArp();
  for (const cam of cameras) cam.mac ??= arp.get(cam.address) ?? null;

  const destinations = (cfg?.destinations ?? []).filter((d) => d.enabled);
  const usable: UplinkCamera[] = cameras
    .filter((c) => c.verdict !== 'fail')
    .map((c) => ({ id: c.id, profiles: profilesOf.get(c.id) ?? [] }));
  const { perDestination, ...uplink } = uplinkNeed(
    usable,
    destinations,
    cfg?.site.id ?? 'site',
    cfg?.uplink.kbps ?? null,
  );
  return {
    version: REPORT_VERSION,
    site: { id: cfg?.site.id ?? null, name: cfg?.site.name ?? null },
    date: date.toISOString(),
    technician: opts.technician,
    box: readBox(cfg?.recording.dir ?? process.cwd(), opts.gatewayVersion),
    cameras,
    ignored: uniqueIgnored(found.ignored),
    uplink,
    recommendations: recommend({
      cameras,
      uplink,
      perDestination,
      destinations: destinations.map((d) => ({ id: d.id, protocol: protocolOf(d.url), profile: d.profile })),
    }),
  };
}

/** A device answers every probe (once per interface, again on retries): list it once per reason. */
function uniqueIgnored(list: { source: string; port?: number; reason: string }[]): SurveyReport['ignored'] {
  const seen = new Map<string, SurveyReport['ignored'][number]>();
  for (const i of list) {
    const address = i.port ? `${i.source}:${i.port}` : i.source;
    seen.set(`${address}|${i.reason}`, { address, reason: i.reason });
  }
  return [...seen.values()];
}
