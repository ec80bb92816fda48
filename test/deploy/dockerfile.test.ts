// Dockerfile.arm64 without a container engine: a linter (dockerfile-utils) judges it, every file
// it copies from the build context exists, what the run stage copies from the build stage is made
// there, and the entry point resolves to the bundle `npm run build` writes, which answers --version.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = join(ROOT, 'Dockerfile.arm64');
const text = readFileSync(FILE, 'utf8').replace(/\\\n/g, ' ');
const lines = text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
const stages = text.split(/^FROM /m).slice(1);

describe('Dockerfile.arm64', () => {
  it('passes the linter', () => {
    const r = spawnSync(join(ROOT, 'node_modules/.bin/dockerfile-utils'), ['lint', FILE], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is multi-stage on bookworm with Node 22, runs as a user, has a volume and a health check', () => {
    expect(stages.map((s) => s.split(/\s/)[0])).toEqual(['node:22-bookworm', 'node:22-bookworm-slim']);
    const run = stages[1]!;
    expect(run).toMatch(/^USER edge-gateway$/m);
    expect(run).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(run).toMatch(/^VOLUME \["\/var\/lib\/edge-gateway"\]$/m);
    expect(run).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(stages[0]).toMatch(/npm ci/);
  });

  it('copies only files that exist in the context, or that the build stage makes', () => {
    const copies = lines.filter((l) => l.startsWith('COPY '));
    expect(copies.length).toBeGreaterThan(3);
    for (const copy of copies) {
      const words = copy.split(/\s+/).slice(1);
      const fromStage = words.some((w) => w.startsWith('--from='));
      const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
      for (const src of sources) {
        if (!fromStage) expect(existsSync(join(ROOT, src)), src).toBe(true);
        // The build stage works in /src: its outputs are the checkout's files, dist and node_modules.
        else
          expect(
            ['dist', 'node_modules'].includes(src.replace('/src/', '')) ||
              existsSync(join(ROOT, src.replace('/src/', ''))),
            src,
          ).toBe(true);
      }
    }
  });

  it('puts the ffmpeg launcher beside the bundle, executable, where the relay looks for it', () => {
    expect(text).toMatch(
      /^COPY --from=build \/src\/src\/relay\/ffmpeg-launcher\.sh \.\/dist\/ffmpeg-launcher\.sh$/m,
    );
    // COPY keeps the file's mode: executable in the checkout, so in the image.
    expect(statSync(join(ROOT, 'src/relay/ffmpeg-launcher.sh')).mode & 0o111).toBe(0o111);
  });

  it('has an entry point that resolves to the bundle, which runs', () => {
    const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(text)![1]!) as string[];
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(text)![1]!) as string[];
    expect(entry[0]).toBe('node');
    const script = entry.find((w) => w.endsWith('.mjs'))!;
    expect(script).toBe('dist/edge-gateway.mjs');
    const build = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } }
    ).scripts.build;
    expect(build).toContain('--outdir=dist');
    expect(build).toContain('--entry-names=edge-gateway');
    expect(cmd).toEqual(['run', '--config', '/etc/edge-gateway/gateway.yaml']);
    // scripts/setup.sh builds dist/ before the tests; build it only in a checkout that never did.
    if (!existsSync(join(ROOT, script))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT });
    const r = spawnSync(process.execPath, [...entry.slice(1), '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
