// Building blocks of the ladder: a check that passed or failed with its hint, and the TCP step.
import net from 'node:net';
import { durationParts, type Check, type CheckId } from '../core/diagnosis.ts';
import { t, type MessageKey, type Params } from '../i18n/index.ts';

export interface Hint {
  key: MessageKey;
  params?: Params;
}

export const ok = (id: CheckId, summary: string): Check => ({ id, status: 'pass', summary, hint: null });

export const bad = (id: CheckId, summary: string, hint: Hint, status: 'fail' | 'warn' = 'fail'): Check => ({
  id,
  status,
  summary,
  hint: t(hint.key, hint.params),
  hintKey: hint.key,
  hintParams: hint.params ?? {},
});

export const skipped = (id: CheckId, summary = t('diag.notRun')): Check => ({
  id,
  status: 'skip',
  summary,
  hint: t('hint.skipped'),
  hintKey: 'hint.skipped',
});

/** "3 min", "2 ngày": a duration in the words of the current language. */
export function duration(seconds: number): string {
  const { n, unit } = durationParts(seconds);
  return t(`unit.${unit}`, { n });
}

/** `service`: what should listen there, for the hint (an RTSP-only camera has no ONVIF port). */
export function tcpCheck(
  host: string,
  port: number,
  timeoutMs: number,
  service: 'onvif' | 'rtsp' = 'onvif',
): Promise<Check> {
  const target = `${host}:${port}`;
  const refused = service === 'rtsp' ? 'hint.tcp.refusedRtsp' : 'hint.tcp.refused';
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (c: Check) => (socket.destroy(), resolve(c));
    socket.setTimeout(timeoutMs, () =>
      done(bad('tcp', t('diag.tcp.timeout', { target }), { key: 'hint.tcp.timeout', params: { target } })),
    );
    socket.once('connect', () => done(ok('tcp', t('diag.tcp.ok', { target }))));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED')
        done(bad('tcp', t('diag.tcp.refused', { target }), { key: refused, params: { target } }));
      else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')
        done(
          bad('tcp', t('diag.tcp.unreachable', { target }), {
            key: 'hint.tcp.unreachable',
            params: { target },
          }),
        );
      else
        done(
          bad('tcp', t('diag.tcp.other', { target, detail: err.code ?? err.message }), {
            key: 'hint.tcp.timeout',
            params: { target },
          }),
        );
    });
  });
}
