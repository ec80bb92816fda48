// fluent-ffmpeg starts every ffmpeg through src/relay/ffmpeg-launcher.sh: the argument lists stay
// exactly ours, the process is ffmpeg itself (setpriv execs in place), and fluent-ffmpeg's own
// capability probes run once however many cameras start together. Alone in its file: the probes
// are cached per process.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegLauncher, findLauncher, runFfmpeg } from '../../src/relay/ffmpeg-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ffmpeg-launcher-'));
const log = join(dir, 'calls.log');
const realFfmpeg = process.env
  .PATH!.split(delimiter)
  .map((d) => join(d, 'ffmpeg'))
  .find((p) => existsSync(p))!;
// An ffmpeg first on the PATH that notes each call, then becomes the real one.
writeFileSync(join(dir, 'ffmpeg'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realFfmpeg}' "$@"\n`);
chmodSync(join(dir, 'ffmpeg'), 0o755);
const savedPath = process.env.PATH;
process.env.PATH = `${dir}${delimiter}${savedPath}`;

afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

const cmd = (n: number) => ({
  input: `nullsrc=size=16x16:rate=25:duration=${n}`,
  inputOptions: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi'],
  output: '-',
  outputOptions: ['-f', 'null', '-stats_period', '0.2', '-progress', 'pipe:1'],
});

describe('ffmpeg through the launcher', () => {
  it('finds the launcher beside the module, beside a bundle in dist/ or dist/chunks/, or from a checkout', () => {
    const launcher = ffmpegLauncher();
    expect(launcher).toMatch(/src\/relay\/ffmpeg-launcher\.sh$/);
    const root = launcher!.replace(/src\/relay\/ffmpeg-launcher\.sh$/, '');
    expect(findLauncher(join(root, 'dist', 'edge-gateway.mjs'))).toBe(launcher);
    expect(findLauncher(join(root, 'dist', 'chunks', 'x.mjs'))).toBe(launcher);
    expect(findLauncher(join(dir, 'nowhere', 'x.mjs'))).toBeNull();
  });

  it('runs our exact arguments as ffmpeg itself, and probes formats and encoders once for many starts', async () => {
    const procs = [1, 2, 3, 4].map(() => runFfmpeg(cmd(3)));
    const first = procs[0]!;
    await new Promise<void>((resolve) => first.onProgress(() => resolve()));
    const pid = first.pid!;
    // The launcher's shell and setpriv exec'd in place: the pid is ffmpeg's and its parent is us.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    const c = cmd(3);
    expect(argv).toEqual([realFfmpeg, ...c.inputOptions, '-i', c.input, '-y', ...c.outputOptions, c.output]);
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]).toBe(String(process.pid));
    for (const p of procs) expect((await p.exited).code).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((l) => l === '-formats')).toHaveLength(1);
    expect(calls.filter((l) => l === '-encoders')).toHaveLength(1);
    expect(calls.filter((l) => l.startsWith('-hide_banner'))).toHaveLength(4);
    expect(first.commandLine).toBe(['ffmpeg', ...argv.slice(1)].join(' '));
  });

  it('runs a command without input options (fluent-ffmpeg would add "undefined" for none)', async () => {
    const clip = join(dir, 'clip.ts');
    execFileSync(realFfmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=5:duration=1'],
      ...['-f', 'mpegts', clip],
    ]);
    const p = runFfmpeg({ input: clip, inputOptions: [], output: '-', outputOptions: ['-f', 'null'] });
    const exit = await p.exited;
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    expect(p.commandLine).toBe(`ffmpeg -i ${clip} -y -f null -`);
  });
});
