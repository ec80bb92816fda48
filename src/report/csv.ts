// The report as CSV, one row per camera (RFC 4180 quoting). A UTF-8 byte order mark leads the file:
// without it Excel, where technicians open it, shows Vietnamese letters as mojibake. Pure.
import type { Translate } from '../i18n/index.ts';
import type { SurveyReport } from './model.ts';
import * as x from './text.ts';

const quote = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function renderCsv(r: SurveyReport, t: Translate): string {
  const headers = [
    t('survey.col.camera'),
    t('survey.col.address'),
    t('survey.col.port'),
    t('survey.col.mac'),
    t('survey.col.manufacturer'),
    t('survey.col.model'),
    t('survey.col.firmware'),
    t('survey.col.onvif'),
    t('survey.col.auth'),
    t('survey.col.profiles'),
    t('survey.col.measured'),
    t('survey.col.rtsp'),
    t('survey.col.skewSeconds'),
    t('survey.col.result'),
    t('survey.col.step'),
    t('survey.col.reason'),
    t('survey.col.fix'),
    t('survey.col.password'),
    t('survey.col.attempts'),
  ];
  const rows = r.cameras.map((c) => [
    c.id,
    c.address,
    c.port,
    c.mac,
    c.manufacturer,
    c.model,
    c.firmware,
    x.onvif(t, c),
    x.auth(t, c),
    c.profiles.map((p) => `${p.name}: ${x.profile(p)}`).join('; '),
    c.measured ? x.measured(c.measured) : null,
    x.rtsp(t, c),
    c.clockSkewSeconds,
    x.verdict(t, c),
    c.problem ? t(`survey.step.${c.problem.step}`) : null,
    c.problem ? `${x.say(t, c.problem.reason)} (${c.problem.detail})` : null,
    c.problem ? x.say(t, c.problem.fix) : null,
    x.password(t, c),
    c.password.attempts,
  ]);
  return '\uFEFF' + [headers, ...rows].map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}
