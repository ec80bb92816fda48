// Debian's chromium, headless, as the report tests open an HTML report: a fresh profile per run,
// nothing fetched from the network, no GPU.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function chromium(args: string[]): { stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'egw-chromium-'));
  try {
    const r = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.error) throw new Error(`chromium could not run (scripts/setup.sh installs it): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status}: ${r.stderr.slice(-2000)}`);
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
