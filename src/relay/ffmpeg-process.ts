// Runs one ffmpeg through fluent-ffmpeg (the only importer of it) and turns its -progress output
// into progress events. stderr is kept in a small scrubbed ring and shown only when it dies.
//
// Every ffmpeg must die with the daemon, even when the daemon is SIGKILLed (issue 16). fluent-ffmpeg
// has one ffmpeg path for the whole process, used for its own capability probes too, so that path
// is a launcher script (ffmpeg-launcher.sh) that execs ffmpeg behind `setpriv --pdeathsig KILL`.
import { monoNow } from '../core/clock.ts';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
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
  /** Known once the process is spawned (after fluent-ffmpeg's checks): undefined before. */
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

export const LAUNCHER = 'ffmpeg-launcher.sh';

/**
 * The launcher, executable: beside this module (src/relay), beside the bundle (dist/ of a release,
 * reached from dist/ or dist/chunks/), or in the checkout a bundle was built in (../src/relay).
 */
export function findLauncher(from = fileURLToPath(import.meta.url)): string | null {
  let dir = dirname(from);
  for (let up = 0; up < 3; up++, dir = dirname(dir))
    for (const candidate of [join(dir, LAUNCHER), join(dir, 'src', 'relay', LAUNCHER)]) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  return null;
}

let launcher: string | null | undefined;
let ready: Promise<void> | undefined;

/** The launcher every ffmpeg starts through, or null: then ffmpeg runs bare and only the next start ends a leftover. */
export function ffmpegLauncher(): string | null {
  if (launcher === undefined) launcher = findLauncher();
  return launcher;
}

/**
 * Sets fluent-ffmpeg's ffmpeg path once, then lets it ask `ffmpeg -formats` and `-encoders` once:
 * it checks every command against them, caching each list only once it has it, so cameras
 * starting together would each run both probes. Probes that fail are asked again by the next
 * command (ffmpeg missing: that command then fails with the reason).
 */
function prepared(): Promise<void> {
  ready ??= new Promise((resolve) => {
    ffmpeg.setFfmpegPath(ffmpegLauncher() ?? 'ffmpeg');
    const probe = ffmpeg();
    probe.availableFormats(() => probe.availableEncoders(() => resolve()));
  });
  return ready;
}

/**
 * Options given to fluent-ffmpeg as separate arguments: given one array it splits an element "a b"
 * in two (a lone option is one word anyway), and given none it adds "undefined".
 */
function addOptions(list: string[], add: (...options: string[]) => void): void {
  if (list.length > 0) add(...list);
}

export function runFfmpeg(cmd: FfmpegCommand, opts: RunOptions = {}): RunningFfmpeg {
  const tail: string[] = [];
  const listeners: ((p: Progress) => void)[] = [];
  const lineListeners: ((line: string) => void)[] = [];
  // fluent-ffmpeg keeps the last stdoutLines lines of stdout and of stderr, 0 meaning all of them:
  // a camera's ffmpeg writes a progress block every second for days. We read both ourselves.
  const command = ffmpeg({ stdoutLines: 1 }).input(cmd.input);
  addOptions(cmd.inputOptions, (...o) => command.inputOptions(...o));
  command.output(cmd.output);
  addOptions(cmd.outputOptions, (...o) => command.outputOptions(...o));
  let commandLine = scrubText(
    ['ffmpeg', ...cmd.inputOptions, '-i', cmd.input, ...cmd.outputOptions, cmd.output].join(' '),
  );
  let proc: ChildProcess | undefined;
  let cancelled = false;
  let resolveExit!: (e: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));

  command.on('start', (line: string) => {
    commandLine = scrubText(line);
    const child = (command as unknown as { ffmpegProc: ChildProcess }).ffmpegProc;
    proc = child;
    // The launcher execs ffmpeg in place: this pid is ffmpeg's, and so are its signals and exit status.
    child.once('close', (code, signal) => resolveExit({ code, signal, tail: [...tail] }));
    // terminate() was called before fluent-ffmpeg got round to spawning: end it at once.
    if (cancelled) child.kill('SIGKILL');
    // Placed at once: its writer threads, created once the camera answers, inherit the placement.
    else if (opts.cpu != null && child.pid !== undefined)
      void placeProcess(child.pid, opts.cpu).then((err) => {
        // A process that is already gone was not misplaced.
        if (err && child.exitCode === null && child.signalCode === null)
          opts.onPlacementError?.(scrubText(err));
      });
    let progress = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      progress += chunk.toString();
      let end: number;
      while ((end = progress.search(/progress=\w+\n/)) >= 0) {
        const stop = progress.indexOf('\n', end) + 1;
        const p = parseProgressBlock(progress.slice(0, stop), monoNow());
        progress = progress.slice(stop);
        if (p) for (const l of listeners) l(p);
      }
      if (progress.length > 64 * 1024) progress = '';
    });
  });
  command.on('stderr', (line: string) => {
    if (!line.trim()) return;
    const clean = scrubText(line);
    tail.push(clean);
    if (tail.length > TAIL_LINES) tail.shift();
    for (const l of lineListeners) l(clean);
  });
  // fluent-ffmpeg reports every non-zero exit and every kill as 'error'; the exit info is what we
  // use. Without a process it failed before spawning (ffmpeg missing, a format it does not have).
  command.on('error', (err: Error) => {
    if (!proc) resolveExit({ code: null, signal: null, tail: [scrubText(err.message)] });
  });
  void prepared().then(() => {
    if (cancelled) resolveExit({ code: null, signal: 'SIGTERM', tail: ['stopped before it started'] });
    else command.run();
  });

  return {
    get pid() {
      return proc?.pid;
    },
    get commandLine() {
      return commandLine;
    },
    onProgress: (l) => listeners.push(l),
    onStderr: (l) => lineListeners.push(l),
    exited,
    tail: () => [...tail],
    terminate: async (timeoutMs) => {
      cancelled = true;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return void (await exited);
      proc.kill('SIGTERM');
      const running = proc;
      const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
