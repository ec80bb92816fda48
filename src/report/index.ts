// One entry for the CLI: a report in a format and a language.
import { translator, type Lang } from '../i18n/index.ts';
import { renderBrief } from './brief.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import type { SurveyReport } from './model.ts';

export type ReportFormat = 'md' | 'html' | 'csv' | 'json' | 'brief';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'csv', 'json', 'brief'];

export function renderReport(r: SurveyReport, format: ReportFormat, lang: Lang): string {
  const t = translator(lang);
  switch (format) {
    case 'md':
      return renderMarkdown(r, t);
    case 'html':
      return renderHtml(r, t, lang);
    case 'csv':
      return renderCsv(r, t);
    case 'json':
      return renderJson(r, t, lang);
    case 'brief':
      return renderBrief(r, t);
  }
}
