// The report as JSON (docs/survey/report.schema.json): the model, each sentence with its text in
// the chosen language beside its key. Pure.
import type { Lang, Translate } from '../i18n/index.ts';
import type { Msg, SurveyReport } from './model.ts';
import { say } from './text.ts';

export const SCHEMA_ID = 'https://edge-gateway.example/survey/report.schema.json';

const isMsg = (v: unknown): v is Msg =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Msg).key === 'string' &&
  typeof (v as Msg).params === 'object';

export function renderJson(r: SurveyReport, t: Translate, lang: Lang): string {
  const withText = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(withText);
    if (isMsg(v)) return { key: v.key, params: v.params, text: say(t, v) };
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withText(x)]));
    return v;
  };
  return JSON.stringify({ $schema: SCHEMA_ID, lang, ...(withText(r) as object) }, null, 2) + '\n';
}
