// The exit-code contract systemd relies on (sysexits): each failure a technician can meet ends with
// its own code and one line on stderr saying why, the last line printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-exit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { LANG: 'C.UTF-8', EDGE_GATEWAY_CONFIG: '' };
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

function config(extra: Record<string, string> = {}): string {
  const file = join(dir, `gw-${Object.keys(extra).join('-') || 'plain'}.yaml`);
  writeFileSync(
    file,
    [
      'site: {id: khu-a, name: Khu A}',
      `recording: {dir: ${join(dir, 'rec')}}`,
      `store: {path: ${join(dir, 'gw.db')}}`,
      'mqtt: {url: "mqtt://127.0.0.1:1"}',
      `relay: {statusSocket: ${extra.socket ?? join(dir, 'status.sock')}}`,
      'log: {level: fatal}',
    ].join('\n'),
  );
  return file;
}

describe('exit codes', () => {
  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await runCli(['--version'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('run without a configuration: 78 and why', async () => {
    const r = await runCli(['run'], { env });
    expect(r.code).toBe(78);
    expect(lastLine(r.stderr)).toMatch(/^edge-gateway: no configuration: pass --config FILE/);
  });

  it('a bad numeric option: 64 and why', async () => {
    const r = await runCli(['discover', '--timeout', 'soon', '--no-save'], { env });
    expect(r.code).toBe(64);
    expect(lastLine(r.stderr)).toBe(
      'edge-gateway: --timeout must be a number of seconds between 0 and 600 (got "soon")',
    );
    const port = await runCli(['discover', '--port', '70000', '--no-save'], { env });
    expect(port.code).toBe(64);
  });

  it('ffmpeg missing: 69 and why', async () => {
    const r = await runCli(['run', '--config', config()], {
      env: { ...env, FFMPEG_PATH: join(dir, 'no-ffmpeg') },
    });
    expect(r.code).toBe(69);
    expect(lastLine(r.stderr)).toMatch(/^edge-gateway: ffmpeg is not installed/);
  });

  it('another gateway on the status socket: 75 and why', async () => {
    const { createServer } = await import('node:http');
    const socket = join(dir, 'busy.sock');
    const other = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => other.listen(socket, r));
    try {
      const r = await runCli(['run', '--config', config({ socket })], { env });
      expect(r.code).toBe(75);
      expect(lastLine(r.stderr)).toMatch(/^edge-gateway: another gateway is running/);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});
