// Loads captured vendor replies from test/fixtures/onvif (with their sources in its INDEX.md) and the
// hand-made templates in ./templates (for replies no capture exists of). Read once, cached.
import { readFileSync } from 'node:fs';

export const FIXTURE_DIR = new URL('../fixtures/onvif/', import.meta.url);
export const TEMPLATE_DIR = new URL('./templates/', import.meta.url);

const cache = new Map<string, string>();

function load(url: URL): string {
  const key = url.href;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    cache.set(key, text);
  }
  return text;
}

export function fixture(name: string): string {
  return load(new URL(name, FIXTURE_DIR));
}

/** A template from ./templates with {{KEY}} placeholders filled in (missing keys are an error). */
export function template(name: string, values: Record<string, string | number> = {}): string {
  return load(new URL(name, TEMPLATE_DIR)).replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`template ${name}: no value for ${k}`);
    return String(v);
  });
}
