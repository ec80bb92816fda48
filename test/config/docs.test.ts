// docs/configuration.md is generated from the schema; these tests keep it from drifting and check
// that the generator documents every key with what the schema says about it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DOCS_PATH, renderConfigDocs } from '../../scripts/gen-config-docs.ts';
import { configSchema } from '../../src/config/schema.ts';

interface Node {
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  type?: string;
}

const generated = renderConfigDocs();
const rows = new Map(
  generated
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      // Split on the table's own pipes, not the escaped ones inside a regex pattern.
      const cells = l
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      return [cells[0]!.replace(/`/g, ''), cells] as const;
    }),
);

/** Every key path of the schema, lists written as [], with its JSON Schema node. */
function keysOf(node: Node, prefix: string): [string, Node][] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    const below = child.properties
      ? keysOf(child, path)
      : child.type === 'array' && child.items?.properties
        ? keysOf(child.items, `${path}[]`)
        : [];
    return [[path, child] as [string, Node], ...below];
  });
}

describe('docs/configuration.md', () => {
  it('is exactly what `npm run docs:config` generates from the schema', () => {
    const committed = readFileSync(DOCS_PATH, 'utf8');
    expect(committed, 'docs/configuration.md is out of date: run npm run docs:config').toBe(generated);
  });

  it('says that it is generated, and by which command', () => {
    const first = generated.split('\n')[0];
    expect(first).toMatch(/^<!-- Generated from src\/config\/schema\.ts by `npm run docs:config`/);
    expect(first).toContain('tsx scripts/gen-config-docs.ts');
  });

  it('has a row, with five cells, for every key below a section', () => {
    const schema = z.toJSONSchema(configSchema, { io: 'input' }) as Node;
    const sections = Object.keys(schema.properties ?? {});
    const keys = keysOf(schema, '').filter(([path]) => !sections.includes(path));
    expect(keys.length).toBeGreaterThan(30);
    for (const [path, node] of keys) {
      const cells = rows.get(path);
      expect(cells, `no row for ${path}`).toBeDefined();
      expect(cells).toHaveLength(5);
      if (node.description) expect(cells?.[3], path).toBe(node.description);
    }
    for (const section of sections) expect(generated).toContain(`## \`${section}\``);
  });

  it('shows defaults, required keys and examples as the schema declares them', () => {
    expect(rows.get('discovery.ports')?.[2]).toBe('`[80, 8000, 8080, 8899, 2020, 8088]`');
    expect(rows.get('store.path')?.[2]).toBe('`/var/lib/edge-gateway/gateway.db`');
    expect(rows.get('site.id')?.[2]).toBe('**required**');
    expect(rows.get('cameras[].url')?.[2]).toBe('');
    expect(rows.get('discovery.subnets')?.[4]).toBe('`[192.168.10.0/24]`');
    expect(rows.get('log.level')?.[1]).toBe('one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`');
  });

  it('documents every key used in the annotated example config', () => {
    const example = parse(
      readFileSync(new URL('../../config/gateway.example.yaml', import.meta.url), 'utf8'),
    ) as unknown;
    const paths = (value: unknown, prefix: string): string[] => {
      if (Array.isArray(value))
        return value.flatMap((v) => (v && typeof v === 'object' ? paths(v, `${prefix}[]`) : []));
      if (value && typeof value === 'object') {
        return Object.entries(value).flatMap(([k, v]) => {
          const path = prefix ? `${prefix}.${k}` : k;
          return [path, ...paths(v, path)];
        });
      }
      return [];
    };
    const used = [...new Set(paths(example, ''))].filter((p) => p.includes('.'));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((p) => !rows.has(p))).toEqual([]);
  });
});
