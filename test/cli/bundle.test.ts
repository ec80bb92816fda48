// The service runs a bundle with plain node (npm run build). It must build and behave like the
// tsx entry: help, and the configuration contract. What only some commands need (ONVIF, XML) is in
// chunks loaded on demand, so the daemon does not carry it in memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The esbuild arguments of `npm run build`, with the output directory replaced. */
function buildArgs(outdir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { build: string } };
  const words = (pkg.scripts.build.match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'(.*)'$/, '$1'));
  expect(words[0]).toBe('esbuild');
  expect(words).toContain('--outdir=dist');
  return words.slice(1).map((w) => (w === '--outdir=dist' ? `--outdir=${outdir}` : w));
}

/** Every file the entry loads before it runs a line: itself and the chunks it imports statically. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(
      /^(?:import|\} from|export \{[^}]*\} from)[^"\n]*"(\.[^"]+)"/gm,
    ))
      visit(join(dirname(file), m[1]!));
  };
  visit(entry);
  return [...seen];
}

describe('production bundle', () => {
  it('builds, answers --help, keeps the configuration exit code and loads ONVIF only on demand', () => {
    // Inside the repo, so its bare imports resolve against the project's node_modules.
    const outdir = join(root, '.tmp', `bundle-${process.pid}`);
    mkdirSync(outdir, { recursive: true });
    execFileSync(join(root, 'node_modules/.bin/esbuild'), buildArgs(outdir), { cwd: root });
    try {
      const out = join(outdir, 'edge-gateway.mjs');
      expect(existsSync(out)).toBe(true);
      const help = spawnSync(process.execPath, [out, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout.toString()).toContain('discover');
      const bad = spawnSync(
        process.execPath,
        [out, 'config', 'check', '--strict', join(root, 'config/gateway.example.yaml')],
        { env: { PATH: process.env.PATH } },
      );
      expect(bad.status).toBe(78);
      expect(bad.stderr.toString()).toMatch(/secret\(s\) not set: .*MQTT_PASSWORD/);
      // `run` loads the entry's static graph and the daemon's chunk (cli/run-daemon.ts, imported
      // when `run` is asked for) with its own: no ONVIF or XML parser in them.
      const chunks = readdirSync(join(outdir, 'chunks')).map((f) => join(outdir, 'chunks', f));
      const daemon = chunks.filter((f) => /\/run-daemon-[^/]*\.mjs$/.test(f));
      expect(daemon, 'the daemon in a chunk of its own').toHaveLength(1);
      expect(staticGraph(out), 'the daemon loaded only by run').not.toContain(daemon[0]);
      const graph = [...new Set([...staticGraph(out), ...staticGraph(daemon[0]!)])];
      for (const file of graph) {
        const text = readFileSync(file, 'utf8');
        expect(text, file).not.toMatch(/^import [^;]*from "(onvif|fast-xml-parser)";$/m);
      }
      // The relay spawns ffmpeg through fluent-ffmpeg, which the release's node_modules holds.
      expect(
        graph.some((f) => /^import \w+ from "fluent-ffmpeg";$/m.test(readFileSync(f, 'utf8'))),
        'run imports fluent-ffmpeg',
      ).toBe(true);
      // ...they are in chunks that discover, diagnose and the remote commands import when they run.
      const onvifChunks = chunks.filter((f) => /^import [^;]*from "onvif";$/m.test(readFileSync(f, 'utf8')));
      expect(onvifChunks.length).toBeGreaterThan(0);
      expect(onvifChunks.filter((f) => graph.includes(f))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
