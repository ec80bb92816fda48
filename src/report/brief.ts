// The report as one line per camera, for a terminal and the installer's last word: the verdict,
// the camera, and for one that cannot be connected why and what to do. Pure.
import type { Translate } from '../i18n/index.ts';
import type { SurveyCamera, SurveyReport } from './model.ts';
import { password, say, verdict } from './text.ts';

const MARK: Record<SurveyCamera['verdict'], string> = { pass: 'OK  ', warn: 'WARN', fail: 'FAIL' };

export function renderBrief(r: SurveyReport, t: Translate): string {
  if (r.cameras.length === 0) return `${t('survey.brief.none')}\n`;
  const width = Math.max(...r.cameras.map((c) => c.id.length));
  const lines = r.cameras.map((c) => {
    const where = c.port ? `${c.address}:${c.port}` : c.address;
    const head = `${MARK[c.verdict]} ${c.id.padEnd(width)}  ${where}: ${verdict(t, c)}`;
    const why = c.problem
      ? `: ${t(`survey.step.${c.problem.step}`)}: ${say(t, c.problem.reason).replace(/\.?$/, '.')} ${say(t, c.problem.fix)}`
      : '';
    const pw = c.password.status === 'blank' || c.password.status === 'default' ? `; ${password(t, c)}` : '';
    return head + why + pw;
  });
  const failed = r.cameras.filter((c) => c.verdict === 'fail').length;
  lines.push(t('survey.brief.total', { cameras: r.cameras.length, failed }));
  return `${lines.join('\n')}\n`;
}
