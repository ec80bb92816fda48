// The diagnose ladder: each step runs only when the one before it passed, so the first failure
// is the step a technician must fix. Every failing step carries a hint in plain words.
import net from 'node:net';
import {
  CHECK_ORDER,
  SKEW_WARN_SECONDS,
  formatDuration,
  type Check,
  type CheckId,
} from '../core/diagnosis.ts';
import type { MediaProfile } from '../core/camera.ts';
import { UriError, checkStreamScheme, withCredentials } from '../core/stream-uri.ts';
import { t } from '../i18n/index.ts';
import { OnvifError } from '../onvif/errors.ts';
import { probeDevice } from '../onvif/probe-device.ts';
import { fetchSnapshot } from '../onvif/snapshot.ts';
import type { Credentials } from '../onvif/transport.ts';
import { measureStream } from '../relay/ffprobe.ts';
import { RtspError, rtspDescribe } from './rtsp-describe.ts';

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
}

const ok = (id: CheckId, summary: string): Check => ({ id, status: 'pass', summary, hint: null });
const bad = (id: CheckId, summary: string, hint: string, status: 'fail' | 'warn' = 'fail'): Check => ({
  id,
  status,
  summary,
  hint,
});

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<Check> {
  const target = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (c: Check) => (socket.destroy(), resolve(c));
    socket.setTimeout(timeoutMs, () =>
      done(bad('tcp', `no answer from ${target}`, t('hint.tcp.timeout', { target }))),
    );
    socket.once('connect', () => done(ok('tcp', `${target} accepts connections`)));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED')
        done(bad('tcp', `${target} refused the connection`, t('hint.tcp.refused', { target })));
      else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')
        done(bad('tcp', `no route to ${target}`, t('hint.tcp.unreachable', { target })));
      else done(bad('tcp', `${target}: ${err.code ?? err.message}`, t('hint.tcp.timeout', { target })));
    });
  });
}

/** The profile a relay would pick: the largest video profile that has a stream URI. */
export function mainProfile(profiles: MediaProfile[]): MediaProfile | undefined {
  return profiles
    .filter((p) => p.encoding && p.streamUri)
    .sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0))[0];
}

function authHint(err: OnvifError): string {
  if (err.kind === 'locked') return t('hint.auth.locked');
  if (err.kind === 'no-credentials') return t('hint.auth.noCredentials');
  if (err.kind === 'timeout') return t('hint.auth.timeout');
  return t('hint.auth.rejected');
}

export async function diagnose(target: string, opts: DiagnoseOptions): Promise<Diagnosis> {
  const checks: Check[] = [];
  const finish = () => {
    for (const id of CHECK_ORDER)
      if (!checks.some((c) => c.id === id))
        checks.push({ id, status: 'skip', summary: 'not run', hint: t('hint.skipped') });
    return { target, checks };
  };
  const url = /^[a-z]+:\/\//i.test(target) ? new URL(target) : new URL(`http://${target}`);
  const port = Number(url.port) || 80;
  const onvifUrl = `${url.protocol}//${url.hostname}:${port}${url.pathname === '/' ? '/onvif/device_service' : url.pathname}`;

  const tcp = await tcpCheck(url.hostname, port, opts.timeoutMs);
  checks.push(tcp);
  if (tcp.status === 'fail') return finish();

  const report = await probeDevice(
    { onvifUrl, source: 'manual' },
    { credentials: opts.credentials, timeoutMs: opts.timeoutMs, maxInFlight: opts.maxInFlight },
  );
  const e = report.error;
  const err = e ? new OnvifError(e.kind as OnvifError['kind'], e.message) : null;

  if (e && (e.step === 'time' || e.step === 'connect')) {
    const hint =
      e.kind === 'not-onvif' || e.kind === 'malformed'
        ? t('hint.time.notOnvif')
        : e.kind === 'timeout'
          ? t('hint.auth.timeout')
          : t('hint.time.none');
    checks.push(bad('time', `GetSystemDateAndTime failed: ${e.message}`, hint));
    return finish();
  }
  const skew = report.clockSkewSeconds;
  if (skew === null) checks.push(bad('time', 'the device gave no UTC time', t('hint.time.none'), 'warn'));
  else if (Math.abs(skew) > SKEW_WARN_SECONDS)
    checks.push(
      bad(
        'time',
        `camera clock ${formatDuration(skew)} ${skew > 0 ? 'ahead' : 'behind'}`,
        t('hint.time.skew', { skew: formatDuration(skew) }),
        'warn',
      ),
    );
  else checks.push(ok('time', `camera clock within ${Math.max(1, Math.abs(skew))} s`));

  if (e && e.step === 'auth') {
    checks.push(bad('auth', `authentication failed: ${e.message}`, authHint(err!)));
    return finish();
  }
  checks.push(
    ok(
      'auth',
      `${report.auth ?? 'none'} accepted${report.info ? ` by ${report.info.manufacturer} ${report.info.model} (firmware ${report.info.firmware})` : ''}`,
    ),
  );

  if (e && (e.step === 'services' || e.step === 'profiles')) {
    checks.push(
      bad('profiles', e.message, e.kind === 'unsupported' ? t('hint.profiles.none') : t('hint.auth.timeout')),
    );
    return finish();
  }
  const video = report.profiles.filter((p) => p.encoding);
  checks.push(
    ok(
      'profiles',
      `${video.length} video profile(s) via Media${report.mediaVersion ?? 1}: ${video.map((p) => `${p.encoding} ${p.width}x${p.height}`).join(', ')}`,
    ),
  );

  const main = mainProfile(report.profiles);
  if (!main) {
    const schemeNote = report.notes.find((n) => /scheme/i.test(n));
    const scheme = schemeNote ? (/"([^"]+)"/.exec(schemeNote)?.[1] ?? '?') : null;
    checks.push(
      bad(
        'stream-uri',
        e?.message ?? 'no stream URI',
        scheme ? t('hint.uri.scheme', { scheme }) : t('hint.uri.none'),
      ),
    );
    return finish();
  }
  checks.push(ok('stream-uri', `${main.token}: ${main.streamUri}`));

  const streamUri = main.streamUri!;
  try {
    checkStreamScheme(streamUri);
    const d = await rtspDescribe(streamUri, opts.credentials, opts.timeoutMs);
    const rtspUrl = new URL(streamUri);
    if (d.status === 200)
      checks.push(ok('rtsp', `DESCRIBE 200: ${d.codecs.join(', ') || d.media.join(', ') || 'no media'}`));
    else if (d.status === 401)
      checks.push(bad('rtsp', 'DESCRIBE 401 Unauthorized', t('hint.rtsp.unauthorized')));
    else if (d.status === 404) checks.push(bad('rtsp', 'DESCRIBE 404 Not Found', t('hint.rtsp.notFound')));
    else
      checks.push(
        bad(
          'rtsp',
          `DESCRIBE ${d.status} ${d.reason}`,
          t('hint.rtsp.other', { detail: `${d.status} ${d.reason}`, port: rtspUrl.port }),
        ),
      );
  } catch (x) {
    const u = new URL(streamUri);
    const target2 = `${u.hostname}:${u.port || 554}`;
    if (x instanceof RtspError) {
      const hint =
        x.kind === 'refused'
          ? t('hint.rtsp.refused', { target: target2, port: u.port || 554 })
          : x.kind === 'timeout'
            ? t('hint.rtsp.timeout')
            : t('hint.rtsp.other', { detail: x.message });
      checks.push(bad('rtsp', `RTSP ${x.kind}: ${x.message}`, hint));
    } else if (x instanceof UriError) checks.push(bad('rtsp', x.message, t('hint.uri.none')));
    else throw x;
  }
  if (checks.at(-1)?.status === 'fail') return finish();

  try {
    const authed = opts.credentials
      ? withCredentials(streamUri, opts.credentials.username, opts.credentials.password)
      : streamUri;
    const m = await measureStream(authed, opts.measureSeconds ?? 3, opts.timeoutMs);
    const summary = `${m.codec ?? '?'} ${m.width}x${m.height} ${m.fps ?? '?'} fps ${m.bitrateKbps ?? '?'} kbit/s`;
    if (!m.keyframe)
      checks.push(
        bad(
          'keyframe',
          `no key frame in ${opts.measureSeconds ?? 3} s (${m.packets} packets)`,
          t('hint.frame.none'),
        ),
      );
    else if (m.codec && !['H264', 'HEVC', 'H265'].includes(m.codec))
      checks.push(bad('keyframe', summary, t('hint.frame.codec', { codec: m.codec }), 'warn'));
    else checks.push(ok('keyframe', summary));
  } catch (x) {
    checks.push(bad('keyframe', `ffprobe: ${(x as Error).message}`, t('hint.frame.none')));
  }

  if (!report.snapshotUri)
    checks.push({ id: 'snapshot', status: 'skip', summary: 'the camera offers no snapshot URI', hint: null });
  else {
    try {
      const s = await fetchSnapshot(report.snapshotUri, opts.credentials, opts.timeoutMs);
      checks.push(ok('snapshot', `${s.contentType}, ${s.bytes} bytes`));
    } catch (x) {
      checks.push(
        bad(
          'snapshot',
          `snapshot failed: ${(x as Error).message}`,
          t('hint.snapshot.fail', { detail: (x as Error).message }),
          'warn',
        ),
      );
    }
  }
  return finish();
}
