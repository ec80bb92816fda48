// Runs one ffmpeg and turns its -progress output into progress events. stderr is kept in a small
// scrubbed ring and shown only when it dies. Every ffmpeg is started through util-linux `setpriv
// --pdeathsig KILL`, so the kernel ends it the moment the daemon dies, even by SIGKILL or OOM:
// without that, a child waiting on its input would wait for ever (issue 16).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { scrubText } from '../log/secrets.ts';
import { placeProcess } from './cpu-placement.ts';
import type { FfmpegCommand } from './ffmpeg-args.ts';

export interface Progress {
  /** Frames muxed so far. */
  frame: number;
  /** Bytes written so far (0 when ffmpeg cannot tell, e.g. tee). */
  totalSize: number;
  outTimeUs: number;
  at: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  tail: string[];
}

export interface RunningFfmpeg {
  readonly pid: number | undefined;
  /** The command line with every secret scrubbed, for logs. */
  readonly commandLine: string;
  onProgress(listener: (p: Progress) => void): void;
  /** Each line of error output, scrubbed of secrets. */
  onStderr(listener: (line: string) => void): void;
  readonly exited: Promise<ExitInfo>;
  tail(): string[];
  /** SIGTERM, then SIGKILL after timeoutMs; resolves when the process is gone. */
  terminate(timeoutMs: number): Promise<void>;
}

const TAIL_LINES = 20;

export function parseProgressBlock(block: string, at: number): Progress | null {
  const fields = new Map(
    block
      .split('\n')
      .map((l) => l.trim().split('='))
      .filter((kv): kv is [string, string] => kv.length === 2),
  );
  if (!fields.has('progress')) return null;
  const n = (k: string) => {
    const v = Number(fields.get(k));
    return Number.isFinite(v) ? v : 0;
  };
  return {
    frame: n('frame'),
    totalSize: n('total_size'),
    outTimeUs: n('out_time_us') || n('out_time_ms'),
    at,
  };
}

export interface RunOptions {
  /** Keep the process and its threads on this CPU under SCHED_BATCH (cpu-placement.ts); null leaves it to the scheduler. */
  cpu?: number | null;
  /** Why placement failed; the process runs unplaced. */
  onPlacementError?: (reason: string) => void;
}

/** The argument list of a command, in ffmpeg's order: input options, input, output options, output. */
export function ffmpegArgs(cmd: FfmpegCommand): string[] {
  // -y as fluent-ffmpeg gave it before (issue 16 replaced it, see spawnLine): never a prompt.
  return [...cmd.inputOptions, '-i', cmd.input, '-y', ...cmd.outputOptions, cmd.output];
}

let launcher: string | null | undefined;

/** `setpriv` when util-linux has it (Debian: always), else null: the child then only dies with the next start. */
export function deathSignalLauncher(): string | null {
  if (launcher !== undefined) return launcher;
  launcher = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'setpriv');
    if (dir && existsSync(candidate)) return (launcher = candidate);
  }
  return launcher;
}

/**
 * The program and arguments that start ffmpeg tied to this process's life. fluent-ffmpeg could not
 * do this: its ffmpeg path is one global, also used for its own `ffmpeg -formats` probe.
 */
export function spawnLine(args: string[], setpriv = deathSignalLauncher()): [string, string[]] {
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', 'ffmpeg', ...args]] : ['ffmpeg', args];
}

export function runFfmpeg(cmd: FfmpegCommand, opts: RunOptions = {}): RunningFfmpeg {
  const tail: string[] = [];
  const listeners: ((p: Progress) => void)[] = [];
  const lineListeners: ((line: string) => void)[] = [];
  const args = ffmpegArgs(cmd);
  const commandLine = scrubText(['ffmpeg', ...args].join(' '));
  let resolveExit!: (e: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
  const [file, argv] = spawnLine(args);
  // setpriv execs ffmpeg in place: the pid is ffmpeg's, and so are its signals and exit status.
  const proc: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = proc.pid;
  proc.once('error', (err) => resolveExit({ code: null, signal: null, tail: [scrubText(err.message)] }));
  proc.once('close', (code, signal) => resolveExit({ code, signal, tail: [...tail] }));
  // Placed at once: its writer threads, created once the camera answers, inherit the placement.
  if (opts.cpu != null && pid !== undefined)
    void placeProcess(pid, opts.cpu).then((err) => {
      // A process that is already gone was not misplaced.
      if (err && proc.exitCode === null && proc.signalCode === null) opts.onPlacementError?.(scrubText(err));
    });

  let progress = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    progress += chunk.toString();
    let end: number;
    while ((end = progress.search(/progress=\w+\n/)) >= 0) {
      const stop = progress.indexOf('\n', end) + 1;
      const p = parseProgressBlock(progress.slice(0, stop), Date.now());
      progress = progress.slice(stop);
      if (p) for (const l of listeners) l(p);
    }
    if (progress.length > 64 * 1024) progress = '';
  });
  let partial = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    if (partial.length > 4096) partial = '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const clean = scrubText(line);
      tail.push(clean);
      if (tail.length > TAIL_LINES) tail.shift();
      for (const l of lineListeners) l(clean);
    }
  });

  return {
    pid,
    commandLine,
    onProgress: (l) => listeners.push(l),
    onStderr: (l) => lineListeners.push(l),
    exited,
    tail: () => [...tail],
    terminate: async (timeoutMs) => {
      if (proc.exitCode !== null || proc.signalCode !== null || pid === undefined) return void (await exited);
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
