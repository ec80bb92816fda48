// The ladder's stream steps: RTSP DESCRIBE, the first key frame measured by ffprobe, the snapshot.
import type { Check } from '../core/diagnosis.ts';
import { UriError, checkStreamScheme, withCredentials } from '../core/stream-uri.ts';
import { t } from '../i18n/index.ts';
import { fetchSnapshot } from '../onvif/snapshot.ts';
import type { Credentials } from '../onvif/transport.ts';
import { measureStream, type StreamMeasure } from '../relay/ffprobe.ts';
import { bad, ok } from './checks.ts';
import { RtspError, rtspDescribe } from './rtsp-describe.ts';

export async function rtspCheck(
  streamUri: string,
  credentials: Credentials | null,
  timeoutMs: number,
): Promise<Check> {
  try {
    checkStreamScheme(streamUri);
    const d = await rtspDescribe(streamUri, credentials, timeoutMs);
    const port = new URL(streamUri).port || 554;
    const status = t('diag.rtsp.status', { status: d.status, reason: d.reason });
    if (d.status === 200)
      return ok(
        'rtsp',
        t('diag.rtsp.ok', { codecs: d.codecs.join(', ') || d.media.join(', ') || t('diag.rtsp.noMedia') }),
      );
    if (d.status === 401) return bad('rtsp', status, { key: 'hint.rtsp.unauthorized' });
    if (d.status === 404) return bad('rtsp', status, { key: 'hint.rtsp.notFound' });
    return bad('rtsp', status, {
      key: 'hint.rtsp.other',
      params: { detail: `${d.status} ${d.reason}`, port },
    });
  } catch (x) {
    const u = new URL(streamUri);
    const target = `${u.hostname}:${u.port || 554}`;
    if (x instanceof RtspError) {
      const summary = t('diag.rtsp.error', { kind: x.kind, detail: x.message });
      if (x.kind === 'refused')
        return bad('rtsp', summary, { key: 'hint.rtsp.refused', params: { target, port: u.port || 554 } });
      if (x.kind === 'timeout') return bad('rtsp', summary, { key: 'hint.rtsp.timeout' });
      return bad('rtsp', summary, { key: 'hint.rtsp.other', params: { detail: x.message } });
    }
    if (x instanceof UriError) return bad('rtsp', x.message, { key: 'hint.uri.none' });
    throw x;
  }
}

export async function keyframeCheck(
  streamUri: string,
  credentials: Credentials | null,
  seconds: number,
  timeoutMs: number,
): Promise<{ check: Check; measured: StreamMeasure | null }> {
  try {
    const authed = credentials
      ? withCredentials(streamUri, credentials.username, credentials.password)
      : streamUri;
    const m = await measureStream(authed, seconds, timeoutMs);
    const summary = t('diag.frame.ok', {
      codec: m.codec ?? '?',
      width: m.width ?? '?',
      height: m.height ?? '?',
      fps: m.fps ?? '?',
      kbps: m.bitrateKbps ?? '?',
    });
    if (!m.keyframe)
      return {
        check: bad('keyframe', t('diag.frame.none', { seconds, packets: m.packets }), {
          key: 'hint.frame.none',
        }),
        measured: m,
      };
    if (m.codec && !['H264', 'HEVC', 'H265'].includes(m.codec))
      return {
        check: bad('keyframe', summary, { key: 'hint.frame.codec', params: { codec: m.codec } }, 'warn'),
        measured: m,
      };
    return { check: ok('keyframe', summary), measured: m };
  } catch (x) {
    return {
      check: bad('keyframe', t('diag.frame.ffprobe', { detail: (x as Error).message }), {
        key: 'hint.frame.none',
      }),
      measured: null,
    };
  }
}

export async function snapshotCheck(
  snapshotUri: string | null,
  credentials: Credentials | null,
  timeoutMs: number,
): Promise<Check> {
  if (!snapshotUri) return { id: 'snapshot', status: 'skip', summary: t('diag.snapshot.none'), hint: null };
  try {
    const s = await fetchSnapshot(snapshotUri, credentials, timeoutMs);
    return ok('snapshot', t('diag.snapshot.ok', { type: s.contentType, bytes: s.bytes }));
  } catch (x) {
    const detail = (x as Error).message;
    return bad(
      'snapshot',
      t('diag.snapshot.failed', { detail }),
      { key: 'hint.snapshot.fail', params: { detail } },
      'warn',
    );
  }
}
