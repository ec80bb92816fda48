// Child processes of the ingest rig (servers and feeders): started so that they die with the test
// process, their output kept as a short tail for error messages, and stopped without leftovers.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Managed {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** Null while running. */
  readonly exit: () => Exit | null;
  /** Last lines of stdout and stderr together. */
  readonly tail: () => string;
}

const SETPRIV = '/usr/bin/setpriv';
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Last resort if a test forgets stop(): SIGKILL works on SIGSTOPped processes too.
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** Deletes a temp dir of ours when the test process exits. */
export function removeAtExit(dir: string): void {
  hookExit();
  tempDirs.add(dir);
}

export interface SpawnOptions {
  /** Keep stdin open as a pipe (rtsp_record_server.py exits when it closes). */
  stdin?: boolean;
  /** Called for each complete stdout line. */
  onLine?: (line: string) => void;
}

export function spawnManaged(cmd: string, args: string[], opts: SpawnOptions = {}): Managed {
  hookExit();
  // setpriv execs the command (same pid) with PR_SET_PDEATHSIG, so a crashed test worker does not
  // leave servers or ffmpeg running. util-linux is essential in Debian; fall back if it is missing.
  const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  live.add(child);
  let tail = '';
  let partial = '';
  let exit: Exit | null = null;
  const keep = (s: string) => (tail = (tail + s).slice(-6000));
  child.stderr?.on('data', (b: Buffer) => keep(b.toString()));
  child.stdout?.on('data', (b: Buffer) => {
    const s = b.toString();
    keep(s);
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) opts.onLine?.(l);
  });
  // An early spawn error (ENOENT) arrives as 'error' followed by 'close'; handle it so it never throws.
  child.on('error', (e) => keep(`\n${e.message}\n`));
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });
  return { child, pid: child.pid, exited, exit: () => exit, tail: () => tail };
}

function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    void p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

/** Clean stop: SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, then SIGKILL after graceMs. */
export async function terminate(m: Managed, graceMs = 5000): Promise<Exit> {
  if (m.exit()) return m.exit() as Exit;
  m.child.kill('SIGCONT');
  m.child.kill('SIGTERM');
  const done = await within(m.exited, graceMs);
  if (done) return done;
  m.child.kill('SIGKILL');
  return m.exited;
}

export async function killHard(m: Managed): Promise<Exit> {
  if (m.exit()) return m.exit() as Exit;
  m.child.kill('SIGKILL');
  return m.exited;
}

/** True while a process with this pid exists (zombies included: ours are reaped when 'close' fires). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
