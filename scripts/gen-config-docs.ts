// Generates docs/configuration.md from the zod schema in src/config/schema.ts, so the reference
// says exactly what the loader accepts. Run: npm run docs:config (tsx scripts/gen-config-docs.ts).
// test/config/docs.test.ts fails when the committed file and the schema differ.
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.ts';

export const DOCS_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

/** The part of JSON Schema that z.toJSONSchema produces for this configuration. */
interface Node {
  type?: string;
  description?: string;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
  example: string;
}

const HEADER = `<!-- Generated from src/config/schema.ts by \`npm run docs:config\` (tsx scripts/gen-config-docs.ts). Do not edit by hand: edit the schema and run the command; test/config/docs.test.ts fails while the two differ. -->

# Configuration reference

The gateway reads one YAML (or JSON) file, \`/etc/edge-gateway/gateway.yaml\` unless told otherwise.
[config/gateway.example.yaml](../config/gateway.example.yaml) is an annotated example.

- Check a file with \`edge-gateway config check FILE\`. Every problem is listed at once, one per line, as
  \`path: what is wrong (got value)\`; the command (and the daemon) exits with code 78 when the file is invalid.
- Unknown keys are errors, so a misspelt key is reported instead of silently ignored.
- Secrets are written as \`\${NAME}\` references, never as values. Each is read from
  \`$CREDENTIALS_DIRECTORY/NAME\` (systemd's \`LoadCredential=\`; one trailing newline is dropped), then from the
  environment variable \`NAME\`. Resolved values are masked in every log line and report.
- Keys are shown with their full path; \`[]\` stands for any entry of a list.`;

/** Renders the whole reference. Pure: the docs test compares it with the committed file. */
export function renderConfigDocs(): string {
  const root = z.toJSONSchema(configSchema, { io: 'input' }) as Node;
  const sections = Object.entries(root.properties ?? {});
  const required = new Set(root.required ?? []);
  const parts = [
    HEADER,
    `Sections: ${sections.map(([name]) => `[\`${name}\`](#${name.toLowerCase()})`).join(', ')}.`,
  ];
  for (const [name, node] of sections) parts.push(renderSection(name, node, required.has(name)));
  return parts.join('\n\n') + '\n';
}

function renderSection(name: string, node: Node, isRequired: boolean): string {
  const list = node.type === 'array' && node.items?.properties !== undefined;
  const intro = [node.description, list ? node.items?.description : undefined].filter(Boolean).join(' ');
  const takesDefaults = node.type === 'object' && JSON.stringify(node.default) === '{}';
  const presence = isRequired
    ? 'Required.'
    : takesDefaults
      ? 'Optional: leave it out to take the defaults below.'
      : `Optional${'default' in node ? `; default ${code(node.default)}` : ''}.`;
  const shape = list ? ' A list; each entry takes the keys below.' : '';
  const rows = list
    ? rowsOf(node.items!, `${name}[]`)
    : node.properties
      ? rowsOf(node, name)
      : [rowOf(name, node, isRequired)];
  return [`## \`${name}\``, [intro, presence + shape].filter(Boolean).join('\n\n'), table(rows)].join('\n\n');
}

/** One row per key of an object, depth first; a nested object gets its own row, then its keys. */
function rowsOf(node: Node, prefix: string): Row[] {
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = `${prefix}.${key}`;
    const row = rowOf(path, child, required.has(key));
    if (child.properties) return [row, ...rowsOf(child, path)];
    if (child.type === 'array' && child.items?.properties) return [row, ...rowsOf(child.items, `${path}[]`)];
    return [row];
  });
}

function rowOf(path: string, node: Node, isRequired: boolean): Row {
  const example = node.example ?? node.examples?.[0];
  return {
    key: code(path),
    type: typeOf(node),
    default: 'default' in node ? code(node.default) : isRequired ? '**required**' : '',
    description: node.description ?? '',
    example: example === undefined ? '' : code(example),
  };
}

function typeOf(node: Node): string {
  if (node.enum) return `one of ${node.enum.map((v) => code(v)).join(', ')}`;
  if (node.const !== undefined) return code(node.const);
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  switch (node.type) {
    case 'string': {
      if (node.format === 'ipv4') return 'IPv4 address';
      const nonEmpty = node.minLength === 1 && node.maxLength === undefined;
      const length = nonEmpty ? '' : range(node.minLength, node.maxLength);
      return [
        nonEmpty ? 'non-empty string' : 'string',
        length && `of ${length} characters`,
        node.pattern && `matching ${code(node.pattern)}`,
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'number':
    case 'integer':
      return [node.type, bounds(node)].filter(Boolean).join(' ');
    case 'array': {
      const of = node.items ? (node.items.properties ? 'objects' : typeOf(node.items)) : 'values';
      return `list of ${of}${node.minItems ? `, at least ${node.minItems}` : ''}`;
    }
    case 'object':
      return 'object';
    default:
      return node.type ?? 'any';
  }
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}-${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return '';
}

/** Numeric limits as a reader writes them; the ±2^53 limits of .int() say nothing to a reader. */
function bounds(node: Node): string {
  const real = (v: number | undefined) =>
    v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
  const min = real(node.minimum);
  const max = real(node.maximum);
  if (min !== undefined && max !== undefined) return `${min}-${max}`;
  return [
    min !== undefined && `>= ${min}`,
    real(node.exclusiveMinimum) !== undefined && `> ${node.exclusiveMinimum}`,
    max !== undefined && `<= ${max}`,
    real(node.exclusiveMaximum) !== undefined && `< ${node.exclusiveMaximum}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A value as it would be written in the YAML file, in a code span. */
function code(value: unknown): string {
  const text = typeof value === 'string' ? value : yamlish(value);
  return `\`${text.replace(/`/g, "'")}\``;
}

function yamlish(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'string' ? v || '""' : yamlish(v))).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${yamlish(v)}`);
    return `{${entries.join(', ')}}`;
  }
  if (value === '') return '""';
  return String(value);
}

function table(rows: Row[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  return [
    '| Key | Type | Default | Description | Example |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${[r.key, r.type, r.default, r.description, r.example].map(cell).join(' | ')} |`),
  ].join('\n');
}

const invokedAs = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (import.meta.url === invokedAs) {
  writeFileSync(DOCS_PATH, renderConfigDocs());
  process.stdout.write(`wrote ${DOCS_PATH}\n`);
}
