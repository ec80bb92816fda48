// The configuration's problem lines (src/config writes them in English, the form --json keeps)
// said in the current language: "path: what is wrong (got value)".
import { t, type MessageKey } from '../i18n/index.ts';

const PHRASES: [RegExp, MessageKey, string[]][] = [
  [/^unknown key$/, 'cfg.unknownKey', []],
  [/^is required$/, 'cfg.required', []],
  [/^must be 1-63 lower-case letters.*$/, 'cfg.slug', []],
  [/^must be a URL starting with (.*)$/, 'cfg.urlScheme', ['schemes']],
  [/^must be an IPv4 CIDR range.*$/, 'cfg.cidr', []],
  [/^has an octet above 255$/, 'cfg.octet', []],
  [/^is wider than \/16.*$/, 'cfg.cidrWide', []],
  [/^must be a cron expression.*$/, 'cfg.cron', []],
  [/^must not contain \+ or #.*$/, 'cfg.topicPrefix', []],
  [/^must contain the \{cameraId\} placeholder.*$/, 'cfg.cameraIdPlaceholder', []],
  [/^duplicates an earlier camera id$/, 'cfg.duplicateCamera', []],
  [/^duplicates an earlier destination id$/, 'cfg.duplicateDestination', []],
  [/^is required with profile "auto".*$/, 'cfg.autoNeedsKbps', []],
  [/^is a directory;.*$/, 'cfg.directory', []],
  [/^is not a regular file$/, 'cfg.notFile', []],
  [/^is (\d+) bytes; the limit is (\d+)$/, 'cfg.tooBig', ['size', 'limit']],
  [/^cannot be read: (.*)$/, 'cfg.unreadable', ['code']],
  [/^secret \$\{(\w+)\} is not set \(looked in (.*)\)$/, 'cfg.secretUnset', ['name', 'where']],
];

function phrase(text: string): string {
  for (const [re, key, names] of PHRASES) {
    const m = re.exec(text);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? '']));
      if (typeof params.where === 'string') params.where = lookedIn(params.where);
      return t(key, params);
    }
  }
  return text;
}

/** "a file, then the environment" / "environment variable X" in the current language. */
export function lookedIn(where: string): string {
  return where
    .replace(/environment variable (\w+)/g, (_m, name: string) => t('cfg.envVar', { name }))
    .replace(/the environment/g, t('cfg.theEnvironment'))
    .replace(/, then /g, `, ${t('cfg.then')} `);
}

export function configProblem(line: string): string {
  const whole = phrase(line);
  if (whole !== line) return whole;
  const pos = /^line (\d+), column (\d+): (.*)$/.exec(line);
  if (pos) return `${t('cfg.position', { line: pos[1]!, column: pos[2]! })} ${pos[3]}`;
  const m = /^(.*?): (.*?)(?: \(got (.*)\))?$/.exec(line);
  if (!m) return line;
  const [, path, what, got] = m;
  return `${path}: ${phrase(what!)}${got === undefined ? '' : ` ${t('cfg.got', { value: got })}`}`;
}
