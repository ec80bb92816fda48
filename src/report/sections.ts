// The report laid out once as titled tables, for the Markdown and HTML renderers. Pure.
import type { Translate } from '../i18n/index.ts';
import type { SurveyReport } from './model.ts';
import * as x from './text.ts';

export interface Section {
  id: string;
  title: string;
  /** A sentence under the title (empty-section notes, totals). */
  lead?: string;
  headers: string[];
  rows: string[][];
  /** Relative column widths for print (HTML); they sum to about 100. */
  widths?: number[];
  /** Many columns: a smaller type on paper. */
  dense?: boolean;
  /** Numbered list instead of a table (recommendations). */
  list?: string[];
}

export function reportSections(r: SurveyReport, t: Translate): Section[] {
  const cams = r.cameras;
  const failed = cams.filter((c) => c.verdict === 'fail');
  const warned = cams.flatMap((c) => c.warnings.map((w) => ({ c, w })));
  const date = r.date.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  const sections: Section[] = [
    {
      id: 'site',
      title: t('survey.section.site'),
      headers: [t('survey.col.item'), t('survey.col.value')],
      widths: [30, 70],
      rows: [
        [t('survey.site'), [r.site.name, r.site.id && `(${r.site.id})`].filter(Boolean).join(' ') || x.dash],
        [t('survey.date'), date],
        [t('survey.technician'), r.technician ?? x.dash],
        [t('survey.box'), r.box.model ?? x.dash],
        [t('survey.os'), `${r.box.os ?? x.dash} (${r.box.kernel}, ${r.box.arch})`],
        [t('survey.disk', { path: r.box.diskPath }), x.bytes(r.box.freeDiskBytes)],
        [t('survey.gateway'), `edge-gateway ${r.box.gatewayVersion} (${r.box.hostname})`],
        [
          t('survey.counts'),
          t('survey.countsValue', {
            total: cams.length,
            usable: cams.length - failed.length,
            failed: failed.length,
          }),
        ],
      ],
    },
    {
      id: 'cameras',
      title: t('survey.section.cameras'),
      lead: cams.length === 0 ? t('discover.none') : undefined,
      headers: [
        t('survey.col.camera'),
        t('survey.col.address'),
        t('survey.col.mac'),
        t('survey.col.device'),
        t('survey.col.firmware'),
        t('survey.col.onvif'),
        t('survey.col.auth'),
        t('survey.col.rtsp'),
        t('survey.col.skew'),
        t('survey.col.result'),
      ],
      widths: [10, 12, 12, 13, 10, 8, 9, 8, 8, 10],
      dense: true,
      rows: cams.map((c) => [
        c.id,
        c.port ? `${c.address}:${c.port}` : c.address,
        c.mac ?? x.dash,
        x.device(c),
        c.firmware ?? x.dash,
        x.onvif(t, c),
        x.auth(t, c),
        x.rtsp(t, c),
        x.skew(t, c.clockSkewSeconds),
        x.verdict(t, c),
      ]),
    },
    {
      id: 'profiles',
      title: t('survey.section.profiles'),
      lead: t('survey.profilesLead'),
      headers: [
        t('survey.col.camera'),
        t('survey.col.profile'),
        t('survey.col.codec'),
        t('survey.col.resolution'),
        t('survey.col.fps'),
        t('survey.col.bitrate'),
        t('survey.col.measured'),
      ],
      widths: [14, 20, 9, 12, 8, 12, 25],
      dense: true,
      rows: cams.flatMap((c) =>
        c.profiles.map((p) => [
          c.id,
          p.main ? `${p.name} (${t('survey.main')})` : p.name,
          p.encoding ?? x.dash,
          p.width && p.height ? `${p.width}×${p.height}` : x.dash,
          p.fps === null ? x.dash : String(p.fps),
          x.kbps(p.bitrateKbps),
          p.main && c.measured ? x.measured(c.measured) : x.dash,
        ]),
      ),
    },
    {
      id: 'problems',
      title: t('survey.section.problems'),
      lead: failed.length === 0 ? t('survey.noProblems') : undefined,
      headers: [t('survey.col.camera'), t('survey.col.step'), t('survey.col.reason'), t('survey.col.fix')],
      widths: [14, 10, 28, 48],
      rows: failed.map((c) => [
        `${c.id} (${c.address})`,
        t(`survey.step.${c.problem!.step}`),
        `${x.say(t, c.problem!.reason)} (${c.problem!.detail})`,
        x.say(t, c.problem!.fix),
      ]),
    },
    {
      id: 'warnings',
      title: t('survey.section.warnings'),
      lead: warned.length === 0 ? t('survey.noWarnings') : undefined,
      headers: [t('survey.col.camera'), t('survey.col.step'), t('survey.col.reason'), t('survey.col.fix')],
      widths: [14, 10, 28, 48],
      rows: warned.map(({ c, w }) => [
        c.id,
        t(`survey.step.${w.step}`),
        `${x.say(t, w.reason)} (${w.detail})`,
        x.say(t, w.fix),
      ]),
    },
    {
      id: 'passwords',
      title: t('survey.section.passwords'),
      lead: t('survey.passwordsLead'),
      headers: [t('survey.col.camera'), t('survey.col.finding'), t('survey.col.attempts')],
      widths: [20, 65, 15],
      rows: cams.map((c) => [c.id, x.password(t, c), String(c.password.attempts)]),
    },
    {
      id: 'uplink',
      title: t('survey.section.uplink'),
      lead: uplinkLead(r, t),
      headers: [
        t('survey.col.destination'),
        t('survey.col.protocol'),
        t('survey.col.profile'),
        t('survey.col.cameras'),
        t('survey.col.needs'),
        t('survey.col.needsSub'),
      ],
      widths: [22, 13, 13, 12, 20, 20],
      rows: r.uplink.destinations.map((d) => [
        d.id,
        d.protocol.toUpperCase(),
        d.profile,
        String(d.cameras),
        x.kbps(d.kbps),
        x.kbps(d.subKbps),
      ]),
    },
    {
      id: 'recommendations',
      title: t('survey.section.recommendations'),
      headers: [],
      rows: [],
      list: r.recommendations.map((m) => x.say(t, m)),
    },
  ];
  if (r.ignored.length > 0)
    sections.push({
      id: 'ignored',
      title: t('survey.section.ignored'),
      headers: [t('survey.col.address'), t('survey.col.reason')],
      widths: [30, 70],
      rows: r.ignored.map((i) => [i.address, i.reason]),
    });
  return sections;
}

function uplinkLead(r: SurveyReport, t: Translate): string {
  const u = r.uplink;
  const need = x.kbps(u.neededKbps);
  if (u.destinations.length === 0) return t('survey.uplink.noDestinations');
  if (u.configuredKbps === null) return t('survey.uplink.unknown', { need });
  return t(u.fits ? 'survey.uplink.fits' : 'survey.uplink.over', { need, have: x.kbps(u.configuredKbps) });
}
