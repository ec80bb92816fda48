// Which daemon the relay bench measures. By default the production bundle, run the way the systemd
// unit runs it: plain node with the node flags of the unit's ExecStart and the unit's Environment=
// on dist/edge-gateway.mjs (rebuilt with `npm run build` when missing or older than the sources).
// With --tsx, the TypeScript entry through tsx (bin/edge-gateway.js), with the same flags and
// environment, so the difference between the two is the transpiler and the unbundled modules.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../../test/support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT = join(ROOT, 'systemd/edge-gateway.service');
const BUNDLE = join(ROOT, 'dist/edge-gateway.mjs');

export interface DaemonEntry {
  /** The program to exec. */
  file: string;
  /** Its arguments up to the script; the caller appends `run --config FILE`. */
  args: string[];
  /** The unit's Environment= assignments, added to the bench's environment. */
  env: Record<string, string>;
  /** One line for the report: what was measured and how it was started. */
  describe: string;
}

/**
 * The node binary and flags of the unit's ExecStart, which must run `node [flags] .../dist/edge-gateway.mjs`.
 * The unit is the single place the daemon's node flags are written; the bench reads them from it.
 */
export function unitNode(unitText: string): { node: string; flags: string[] } {
  const line = /^ExecStart=(.+)$/m.exec(unitText)?.[1]?.trim();
  if (!line) throw new Error(`no ExecStart= line in ${UNIT}`);
  const words = line.split(/\s+/);
  const script = words.findIndex((w) => w.endsWith('/dist/edge-gateway.mjs'));
  if (script < 1 || !/(^|\/)node$/.test(words[0]!))
    throw new Error(`the unit's ExecStart= does not run node on dist/edge-gateway.mjs: ${line}`);
  return { node: words[0]!, flags: words.slice(1, script) };
}

/** The unit's Environment= assignments (KEY=VALUE words, optionally in double quotes). */
export function unitEnvironment(unitText: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unitText.matchAll(/^Environment=(.*)$/gm)) {
    for (const m of line[1]!.matchAll(/"([^"]*)"|(\S+)/g)) {
      const word = m[1] ?? m[2]!;
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}

/** The newest modification time of the files the bundle is built from (src/ and package.json). */
function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: join(ROOT, 'package.json'), mtimeMs: statSync(join(ROOT, 'package.json')).mtimeMs };
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) {
        const mtimeMs = statSync(path).mtimeMs;
        if (mtimeMs > newest.mtimeMs) newest = { file: path, mtimeMs };
      }
    }
  };
  walk(join(ROOT, 'src'));
  return newest;
}

/** Builds the bundle when it is missing or older than a source; says which it did. */
function ensureBundle(log: (line: string) => void): void {
  const newest = newestSource();
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest.mtimeMs) return;
  log(
    existsSync(BUNDLE)
      ? `bundle older than ${relative(ROOT, newest.file)}: npm run build`
      : 'no bundle yet: npm run build',
  );
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(BUNDLE)) throw new Error(`npm run build did not write ${BUNDLE}`);
}

export function daemonEntry(opts: { tsx: boolean; log: (line: string) => void }): DaemonEntry {
  const text = readFileSync(UNIT, 'utf8');
  const unit = unitNode(text);
  const env = unitEnvironment(text);
  // The unit's node when this machine has it, else the node running the bench (said in the report).
  const node = existsSync(unit.node) ? unit.node : process.execPath;
  if (!opts.tsx) ensureBundle(opts.log);
  const script = opts.tsx ? BIN : BUNDLE;
  const cmd = [
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    node,
    ...unit.flags,
    relative(ROOT, script),
  ].join(' ');
  return {
    file: node,
    args: [...unit.flags, script],
    env,
    describe:
      (opts.tsx
        ? `tsx source entry (--tsx), with the unit's node flags: ${cmd}`
        : `production bundle as the systemd unit runs it: ${cmd}`) +
      (node === unit.node ? '' : ` (the unit's ${unit.node} is not here)`),
  };
}
