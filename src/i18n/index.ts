// Message lookup with {name} interpolation. The language comes from --lang, else the locale
// (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them); English by default.
import { en, vi, type MessageKey } from './catalogue.ts';

export type { MessageKey };
export type Lang = 'en' | 'vi';
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export const LANGS: readonly Lang[] = ['en', 'vi'];

/** The language a POSIX locale environment asks for. */
export function detectLang(env: NodeJS.ProcessEnv | string | undefined = process.env): Lang {
  const value = typeof env === 'object' ? env.LC_ALL || env.LC_MESSAGES || env.LANG : env;
  return value?.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

let current: Lang = detectLang();

export function setLang(lang: Lang): void {
  current = lang;
}

export function currentLang(): Lang {
  return current;
}

function format(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** A lookup bound to one language: what pure renderers take. */
export function translator(lang: Lang): Translate {
  const table = lang === 'vi' ? vi : en;
  return (key, params = {}) => format(table[key], params);
}

export function t(key: MessageKey, params: Params = {}): string {
  return format((current === 'vi' ? vi : en)[key], params);
}
