// The report as Markdown: a heading and a pipe table per section. Pure.
import type { Translate } from '../i18n/index.ts';
import type { SurveyReport } from './model.ts';
import { reportSections } from './sections.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(r: SurveyReport, t: Translate): string {
  const out = [`# ${t('survey.title')}${r.site.name ? `: ${r.site.name}` : ''}`, ''];
  for (const s of reportSections(r, t)) {
    out.push(`## ${s.title}`, '');
    if (s.lead) out.push(s.lead, '');
    if (s.list) {
      s.list.forEach((item, i) => out.push(`${i + 1}. ${item}`));
      out.push('');
      continue;
    }
    if (s.rows.length === 0) continue;
    out.push(`| ${s.headers.map(cell).join(' | ')} |`, `|${s.headers.map(() => '---').join('|')}|`);
    for (const row of s.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('');
  }
  out.push(`_${t('survey.footer')}_`, '');
  return out.join('\n');
}
