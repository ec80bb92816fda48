// Message lookup with {name} interpolation. The language comes from --lang, then LANG.
import { en, type MessageKey } from './catalogue.ts';
import { vi } from './vi.ts';

export type { MessageKey };
export type Lang = 'en' | 'vi';

let current: Lang = detectLang(process.env.LANG);

export function detectLang(value: string | undefined): Lang {
  return value?.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

export function setLang(lang: Lang): void {
  current = lang;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = (current === 'vi' ? vi[key] : undefined) ?? en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
