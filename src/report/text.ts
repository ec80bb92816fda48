// How the report's values read, in the language of the given translator. Pure.
import { durationParts } from '../core/diagnosis.ts';
import type { MessageKey, Translate } from '../i18n/index.ts';
import type { Msg, SurveyCamera, SurveyProfile } from './model.ts';

export const say = (t: Translate, m: Msg): string => t(m.key as MessageKey, m.params);

export const dash = '–';

export function duration(t: Translate, seconds: number): string {
  const { n, unit } = durationParts(seconds);
  return t(`unit.${unit}`, { n });
}

export function skew(t: Translate, seconds: number | null): string {
  if (seconds === null) return dash;
  // A second or two is the measurement itself (the request's round trip), not a wrong clock.
  if (Math.abs(seconds) <= 2) return t('survey.skew.none');
  return t(seconds > 0 ? 'survey.skew.ahead' : 'survey.skew.behind', { skew: duration(t, seconds) });
}

export function profile(
  p: Pick<SurveyProfile, 'encoding' | 'width' | 'height' | 'fps' | 'bitrateKbps'>,
): string {
  const size = p.width && p.height ? `${p.width}×${p.height}` : '';
  const fps = p.fps ? `${p.fps} fps` : '';
  const rate = p.bitrateKbps ? `${p.bitrateKbps} kbit/s` : '';
  return [p.encoding ?? '?', size, fps, rate].filter(Boolean).join(' ');
}

export function measured(m: NonNullable<SurveyCamera['measured']>): string {
  return profile({ ...m, encoding: m.codec });
}

export function onvif(t: Translate, c: SurveyCamera): string {
  if (c.onvif === null) return t('survey.unknown');
  if (!c.onvif) return t('survey.no');
  return c.mediaVersion ? t('survey.onvif.media', { version: c.mediaVersion }) : t('survey.yes');
}

export function auth(t: Translate, c: SurveyCamera): string {
  if (c.auth === 'ws-security') return 'WS-Security';
  if (c.auth === 'http-digest') return 'HTTP Digest';
  if (c.auth === 'none') return t('survey.auth.none');
  return dash;
}

export function rtsp(t: Translate, c: SurveyCamera): string {
  return t(`survey.rtsp.${c.rtsp}`);
}

export function verdict(t: Translate, c: SurveyCamera): string {
  return t(`survey.verdict.${c.verdict}`);
}

export function password(t: Translate, c: SurveyCamera): string {
  const p = c.password;
  if (p.status === 'not-checked')
    return t('survey.password.notChecked', { why: t(`survey.why.${p.why ?? 'unreachable'}`) });
  return t(`survey.password.${p.status}`);
}

export function bytes(n: number | null): string {
  if (n === null) return dash;
  const gb = n / 1024 ** 3;
  return gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}

export function kbps(n: number | null): string {
  if (n === null) return dash;
  return n >= 1000 ? `${(n / 1000).toFixed(1)} Mbit/s` : `${n} kbit/s`;
}

export function device(c: SurveyCamera): string {
  // Axis names its models "AXIS Q6045-E": do not say the vendor twice.
  const model =
    c.model && c.manufacturer && c.model.toLowerCase().startsWith(c.manufacturer.toLowerCase())
      ? c.model
      : null;
  return model ?? ([c.manufacturer, c.model].filter(Boolean).join(' ') || dash);
}
