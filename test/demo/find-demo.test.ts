// `edge-gateway demo` finds the demo in the checkout it runs from, and nothing in an install
// without test/ (the published package ships without it), where it must say so.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findDemo } from '../../src/cli/demo-command.ts';
import { runCli } from '../support/cli.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'egw-find-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('edge-gateway demo', () => {
  it('finds scripts/demo from src/cli and from dist/ of a checkout', () => {
    const entry = join(root, 'scripts', 'demo', 'main.ts');
    expect(findDemo(join(root, 'src', 'cli', 'demo-command.ts'))).toBe(entry);
    expect(findDemo(join(root, 'dist', 'chunks', 'x.mjs'))).toBe(entry);
  });

  it('finds nothing in an install without test/', () => {
    mkdirSync(join(dir, 'scripts', 'demo'), { recursive: true });
    writeFileSync(join(dir, 'scripts', 'demo', 'main.ts'), '');
    expect(findDemo(join(dir, 'dist', 'edge-gateway.mjs'))).toBeNull();
  });

  it('refuses bad durations with the usage line and exit code 64', async () => {
    const r = await runCli(['demo', '--outage-seconds', 'soon']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--outage-seconds N/);
  });
});
