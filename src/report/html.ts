// The report as one self-contained HTML page that prints on A4 portrait: one table per section,
// fixed layouts with relative column widths and words allowed to break, so nothing runs past the
// page edge (test/report/html-print.test.ts checks it in Chromium). Pure.
import type { Lang, Translate } from '../i18n/index.ts';
import type { SurveyReport } from './model.ts';
import { reportSections } from './sections.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
@page { size: A4 portrait; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 9pt; line-height: 1.35;
  color: #111; margin: 0 auto; max-width: 186mm; padding: 0; }
h1 { font-size: 15pt; margin: 0 0 4mm; }
h2 { font-size: 11pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #444; padding-bottom: 1mm;
  break-after: avoid; }
p { margin: 0 0 2mm; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin-bottom: 2mm; }
th, td { border: 0.2mm solid #888; padding: 1mm 1.2mm; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; word-break: break-word; hyphens: auto; }
th { background: #e8e8e8; font-weight: bold; }
table.dense { font-size: 8pt; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
td.fail { background: #fbd9d9; font-weight: bold; }
td.warn { background: #fff1c9; }
td.pass { background: #dff3df; }
ol { margin: 0; padding-left: 6mm; }
li { margin-bottom: 1mm; }
footer { margin-top: 6mm; font-size: 8pt; color: #555; }
`;

export function renderHtml(r: SurveyReport, t: Translate, lang: Lang): string {
  const title = `${t('survey.title')}${r.site.name ? `: ${r.site.name}` : ''}`;
  const verdicts = new Map(r.cameras.map((c) => [c.id, c.verdict]));
  const body: string[] = [`<h1>${esc(title)}</h1>`];
  for (const s of reportSections(r, t)) {
    body.push(`<section id="${s.id}"><h2>${esc(s.title)}</h2>`);
    if (s.lead) body.push(`<p>${esc(s.lead)}</p>`);
    if (s.list) body.push(`<ol>${s.list.map((i) => `<li>${esc(i)}</li>`).join('')}</ol>`);
    else if (s.rows.length > 0) {
      const cols = (s.widths ?? []).map((w) => `<col style="width:${w}%">`).join('');
      const head = s.headers.map((h) => `<th>${esc(h)}</th>`).join('');
      const rows = s.rows.map((row) => {
        // The cameras table marks its result column so a failed camera stands out on paper too.
        const v = s.id === 'cameras' ? verdicts.get(row[0] ?? '') : undefined;
        const cells = row.map((c, i) =>
          v && i === row.length - 1 ? `<td class="${v}">${esc(c)}</td>` : `<td>${esc(c)}</td>`,
        );
        return `<tr>${cells.join('')}</tr>`;
      });
      body.push(
        `<table${s.dense ? ' class="dense"' : ''}><colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
      );
    }
    body.push('</section>');
  }
  body.push(`<footer>${esc(t('survey.footer'))}</footer>`);
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
