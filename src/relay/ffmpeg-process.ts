// Runs one ffmpeg through fluent-ffmpeg (the only importer of it) and turns its -progress output
// into progress events. stderr is kept in a small scrubbed ring and shown only when it dies.
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

export function runFfmpeg(cmd: FfmpegCommand, opts: RunOptions = {}): RunningFfmpeg {
  const tail: string[] = [];
  const listeners: ((p: Progress) => void)[] = [];
  const lineListeners: ((line: string) => void)[] = [];
  // fluent-ffmpeg keeps the last stdoutLines lines of stdout and of stderr, 0 meaning all of them:
  // a camera's ffmpeg writes a progress block every second for days. We read both ourselves.
  const command = ffmpeg({ stdoutLines: 1 })
    .input(cmd.input)
    .inputOptions(cmd.inputOptions)
    .output(cmd.output)
    .outputOptions(cmd.outputOptions);
  let commandLine = '';
  let pid: number | undefined;
  let resolveExit!: (e: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
  let buffer = '';
  let cancelled = false;

  command.on('start', (line: string) => {
    commandLine = scrubText(line);
    const proc = (command as unknown as { ffmpegProc: import('node:child_process').ChildProcess }).ffmpegProc;
    pid = proc.pid;
    // terminate() was called before fluent-ffmpeg got round to spawning: end it at once.
    if (cancelled) proc.kill('SIGKILL');
    // Placed at once: its writer threads, created once the camera answers, inherit the placement.
    if (opts.cpu != null && pid !== undefined)
      void placeProcess(pid, opts.cpu).then((err) => {
        // A process that is already gone was not misplaced.
        if (err && proc.exitCode === null && proc.signalCode === null)
          opts.onPlacementError?.(scrubText(err));
      });
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.search(/progress=\w+\n/)) >= 0) {
        const stop = buffer.indexOf('\n', end) + 1;
        const p = parseProgressBlock(buffer.slice(0, stop), Date.now());
        buffer = buffer.slice(stop);
        if (p) for (const l of listeners) l(p);
      }
      if (buffer.length > 64 * 1024) buffer = '';
    });
    proc.once('exit', (code, signal) => resolveExit({ code, signal, tail: [...tail] }));
  });
  command.on('stderr', (line: string) => {
    if (!line.trim()) return;
    const clean = scrubText(line);
    tail.push(clean);
    for (const l of lineListeners) l(clean);
    if (tail.length > TAIL_LINES) tail.shift();
  });
  // fluent-ffmpeg reports every non-zero exit and every kill as 'error'; the exit info is what we use.
  command.on('error', (err: Error) => {
    if (pid === undefined) resolveExit({ code: null, signal: null, tail: [scrubText(err.message)] });
  });
  command.run();

  return {
    get pid() {
      return pid;
    },
    get commandLine() {
      return commandLine;
    },
    onProgress: (l) => listeners.push(l),
    onStderr: (l) => lineListeners.push(l),
    exited,
    tail: () => [...tail],
    terminate: async (timeoutMs) => {
      const proc = (command as unknown as { ffmpegProc?: import('node:child_process').ChildProcess })
        .ffmpegProc;
      if (!proc) {
        cancelled = true;
        await exited;
        return;
      }
      if (proc.exitCode !== null || proc.signalCode !== null) return void (await exited);
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
