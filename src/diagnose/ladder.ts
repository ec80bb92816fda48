// The diagnose ladder: each step runs only when the one before it passed, so the first failure
// is the step a technician must fix. Every failing step carries a hint in plain words.
// `diagnose` reads the camera itself; `diagnoseReport` climbs from a device already read (the
// survey: one ONVIF read per camera, so a wrong password costs no more failed logins).
import { CHECK_ORDER, SKEW_WARN_SECONDS, type Check } from '../core/diagnosis.ts';
import type { DeviceReport } from '../core/device-report.ts';
import type { MediaProfile } from '../core/camera.ts';
import { t } from '../i18n/index.ts';
import { probeDevice } from '../onvif/probe-device.ts';
import type { Credentials } from '../onvif/transport.ts';
import type { StreamMeasure } from '../relay/ffprobe.ts';
import { bad, duration, ok, skipped, tcpCheck } from './checks.ts';
import { keyframeCheck, rtspCheck, snapshotCheck } from './stream-checks.ts';

export interface DiagnoseOptions {
  credentials: Credentials | null;
  timeoutMs: number;
  maxInFlight: number;
  /** Seconds of stream ffprobe reads to measure fps and bitrate. */
  measureSeconds?: number;
}

export interface Diagnosis {
  target: string;
  checks: Check[];
  /** What ffprobe measured on the main stream, when it got that far. */
  measured?: StreamMeasure | null;
}

/** The profile a relay would pick: the largest video profile that has a stream URI. */
export function mainProfile(profiles: MediaProfile[]): MediaProfile | undefined {
  return profiles
    .filter((p) => p.encoding && p.streamUri)
    .sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0))[0];
}

function finish(target: string, checks: Check[], measured: StreamMeasure | null = null): Diagnosis {
  for (const id of CHECK_ORDER) if (!checks.some((c) => c.id === id)) checks.push(skipped(id));
  return { target, checks, measured };
}

function onvifTarget(target: string): { host: string; port: number; onvifUrl: string } {
  const url = /^[a-z]+:\/\//i.test(target) ? new URL(target) : new URL(`http://${target}`);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const path = url.pathname === '/' ? '/onvif/device_service' : url.pathname;
  return { host: url.hostname, port, onvifUrl: `${url.protocol}//${url.hostname}:${port}${path}` };
}

export async function diagnose(target: string, opts: DiagnoseOptions): Promise<Diagnosis> {
  const { host, port, onvifUrl } = onvifTarget(target);
  const tcp = await tcpCheck(host, port, opts.timeoutMs);
  if (tcp.status === 'fail') return finish(target, [tcp]);
  const report = await probeDevice(
    { onvifUrl, source: 'manual' },
    // The ladder's last step checks the snapshot: read its URI whatever round trip it costs.
    {
      credentials: opts.credentials,
      timeoutMs: opts.timeoutMs,
      maxInFlight: opts.maxInFlight,
      snapshot: 'always',
    },
  );
  return climb(target, [tcp], report, opts);
}

/** The ladder from a device discover already read: no second ONVIF login. */
export async function diagnoseReport(report: DeviceReport, opts: DiagnoseOptions): Promise<Diagnosis> {
  const { host, port } = onvifTarget(report.onvifUrl);
  const tcp = await tcpCheck(host, port, opts.timeoutMs);
  if (tcp.status === 'fail') return finish(report.onvifUrl, [tcp]);
  return climb(report.onvifUrl, [tcp], report, opts);
}

/** A camera known only by its RTSP URL: the ONVIF steps do not apply. */
export async function diagnoseRtsp(streamUri: string, opts: DiagnoseOptions): Promise<Diagnosis> {
  const u = new URL(streamUri);
  const tcp = await tcpCheck(u.hostname, Number(u.port) || 554, opts.timeoutMs, 'rtsp');
  if (tcp.status === 'fail') return finish(streamUri, [tcp]);
  const none = (id: Check['id']): Check => ({ id, status: 'skip', summary: t('diag.noOnvif'), hint: null });
  const checks = [tcp, none('time'), none('auth'), none('profiles'), none('stream-uri')];
  return streamSteps(streamUri, checks, streamUri, null, opts);
}

async function climb(
  target: string,
  checks: Check[],
  report: DeviceReport,
  opts: DiagnoseOptions,
): Promise<Diagnosis> {
  const e = report.error;
  if (e && (e.step === 'time' || e.step === 'connect')) {
    const key =
      e.kind === 'not-onvif' || e.kind === 'malformed'
        ? 'hint.time.notOnvif'
        : e.kind === 'timeout'
          ? 'hint.auth.timeout'
          : 'hint.time.none';
    checks.push(bad('time', t('diag.time.failed', { detail: e.message }), { key }));
    return finish(target, checks);
  }
  const skew = report.clockSkewSeconds;
  if (skew === null) checks.push(bad('time', t('diag.time.noUtc'), { key: 'hint.time.none' }, 'warn'));
  else if (Math.abs(skew) > SKEW_WARN_SECONDS) {
    const summary = t(skew > 0 ? 'diag.time.ahead' : 'diag.time.behind', { skew: duration(skew) });
    checks.push(bad('time', summary, { key: 'hint.time.skew', params: { skew: duration(skew) } }, 'warn'));
  } else checks.push(ok('time', t('diag.time.ok', { seconds: Math.max(1, Math.abs(skew)) })));

  if (e && e.step === 'auth') {
    const key =
      e.kind === 'locked'
        ? 'hint.auth.locked'
        : e.kind === 'no-credentials'
          ? 'hint.auth.noCredentials'
          : e.kind === 'timeout'
            ? 'hint.auth.timeout'
            : 'hint.auth.rejected';
    checks.push(bad('auth', t('diag.auth.failed', { detail: e.message }), { key }));
    return finish(target, checks);
  }
  const scheme = report.auth ?? 'none';
  checks.push(
    ok(
      'auth',
      report.info
        ? t('diag.auth.okBy', {
            scheme,
            device: `${report.info.manufacturer} ${report.info.model}`,
            firmware: report.info.firmware,
          })
        : t('diag.auth.ok', { scheme }),
    ),
  );

  if (e && (e.step === 'services' || e.step === 'profiles')) {
    const key = e.kind === 'unsupported' ? 'hint.profiles.none' : 'hint.auth.timeout';
    checks.push(bad('profiles', e.message, { key }));
    return finish(target, checks);
  }
  const video = report.profiles.filter((p) => p.encoding);
  const list = video.map((p) => `${p.encoding} ${p.width}x${p.height}`).join(', ');
  checks.push(
    ok('profiles', t('diag.profiles.ok', { count: video.length, version: report.mediaVersion ?? 1, list })),
  );

  const main = mainProfile(report.profiles);
  if (!main) {
    const schemeNote = report.notes.find((n) => /scheme/i.test(n));
    const bad_ = schemeNote ? (/"([^"]+)"/.exec(schemeNote)?.[1] ?? '?') : null;
    const summary = e?.message ?? t('diag.uri.none');
    checks.push(
      bad(
        'stream-uri',
        summary,
        bad_ ? { key: 'hint.uri.scheme', params: { scheme: bad_ } } : { key: 'hint.uri.none' },
      ),
    );
    return finish(target, checks);
  }
  checks.push(ok('stream-uri', `${main.token}: ${main.streamUri}`));
  return streamSteps(target, checks, main.streamUri!, report.snapshotUri, opts);
}

async function streamSteps(
  target: string,
  checks: Check[],
  streamUri: string,
  snapshotUri: string | null,
  opts: DiagnoseOptions,
): Promise<Diagnosis> {
  checks.push(await rtspCheck(streamUri, opts.credentials, opts.timeoutMs));
  if (checks.at(-1)?.status === 'fail') return finish(target, checks);
  const seconds = opts.measureSeconds ?? 3;
  const frame = await keyframeCheck(streamUri, opts.credentials, seconds, opts.timeoutMs);
  checks.push(frame.check);
  checks.push(await snapshotCheck(snapshotUri, opts.credentials, opts.timeoutMs));
  return finish(target, checks, frame.measured);
}
