// Every payload a test sees is validated against its JSON Schema in docs/telemetry/, chosen by topic.
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const DIR = new URL('../../docs/telemetry/', import.meta.url);

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => [
      f.replace('.schema.json', ''),
      ajv.compile(JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as object),
    ]),
);

export function schemaNames(): string[] {
  return [...validators.keys()];
}

/** The schema that governs a topic below {prefix}/{site}/, or null for a topic we do not own. */
export function schemaForTopic(topic: string): string | null {
  if (/\/status$/.test(topic) && /\/cameras\/[^/]+\/status$/.test(topic)) return 'camera-status';
  if (/^[^/]+\/[^/]+\/status$/.test(topic)) return 'status';
  if (topic.endsWith('/heartbeat')) return 'heartbeat';
  if (topic.endsWith('/events')) return 'event';
  if (/\/cmd\/[^/]+\/reply$/.test(topic) || topic.includes('/replies/')) return 'command-reply';
  if (/\/cmd\/[^/]+$/.test(topic)) return 'command';
  return null;
}

/** Throws with the schema's complaints when the value does not match. */
export function expectValid(schema: string, value: unknown): void {
  const v = validators.get(schema);
  if (!v) throw new Error(`no schema ${schema}`);
  if (!v(value))
    throw new Error(`${schema}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(value).slice(0, 500)}`);
}
