// The service runs a bundle with plain node (npm run build). It must build and behave like the
// tsx entry: help, and the configuration contract.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('production bundle', () => {
  it('builds, answers --help and keeps the configuration exit code', () => {
    // Inside the repo, so its bare imports resolve against the project's node_modules.
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const out = join(root, '.tmp', `bundle-${process.pid}.mjs`);
    execFileSync(
      join(root, 'node_modules/.bin/esbuild'),
      [
        'src/main.ts',
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--packages=external',
        `--outfile=${out}`,
        '--log-level=warning',
      ],
      { cwd: root },
    );
    try {
      const help = spawnSync(process.execPath, [out, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout.toString()).toContain('discover');
      const bad = spawnSync(
        process.execPath,
        [out, 'config', 'check', join(root, 'config/gateway.example.yaml')],
        { env: { PATH: process.env.PATH } },
      );
      expect(bad.status).toBe(78);
      expect(bad.stderr.toString()).toMatch(/secret \$\{MQTT_PASSWORD\} is not set/);
    } finally {
      rmSync(out, { force: true });
    }
  });
});
