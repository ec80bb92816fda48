// One long-lived /bin/sh that runs `ss` with fixed arguments each time a line is written to it.
// Spawning ss from the daemon forks the daemon itself, a process of some 80 MB, at every look at
// the TCP table; forking a shell costs a fraction of that (bench/relay/README.md has the figures).
// The shell does not outlive the daemon, even killed with SIGKILL: it has PR_SET_PDEATHSIG
// (setpriv, as ffmpeg-launcher.sh), and it reads its requests from our pipe, so it also ends at
// that pipe's end. An ss it was running then ends on its own: its answer goes to a closed pipe.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Ends each answer: ss's lines start with a digit or blank space, never with this. */
const END = '#ss-end ';
/** The loop: one ss ($0) per request line, then the end marker with its exit status. Its stderr is dropped. */
const LOOP = `while read -r _; do "$0" "$@" 2>/dev/null; echo "${END}$?"; done`;

/** util-linux setpriv, if this system has it (without it a leftover shell still ends at its pipe's end). */
const SETPRIV = (process.env.PATH ?? '/usr/bin:/bin')
  .split(':')
  .map((d) => join(d || '.', 'setpriv'))
  .find((f) => existsSync(f));

interface Pending {
  child: ChildProcess;
  resolve: (text: string | null) => void;
  timer: NodeJS.Timeout;
}

export class SsShell {
  private child: ChildProcess | null = null;
  private chunks: string[] = [];
  /** The last characters received, where the end marker is looked for. */
  private tail = '';
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly args: string[],
    private readonly opts: { timeoutMs?: number; command?: string } = {},
  ) {}

  /** One run of ss: its standard output, or null when it failed, could not run or took longer than the timeout. */
  run(): Promise<string | null> {
    const next = this.queue.then(() => this.runOne());
    this.queue = next;
    return next;
  }

  /** Ends the shell (and an ss it runs); a run under way resolves null, a later run starts a new shell. */
  close(): void {
    this.kill();
  }

  private runOne(): Promise<string | null> {
    const child = this.child ?? this.startShell();
    if (!child.stdin?.writable) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.chunks = [];
      this.tail = '';
      this.pending = {
        child,
        resolve,
        // A hung ss (or shell) is killed with its whole group; the next run starts a new shell.
        timer: setTimeout(() => this.kill(), this.opts.timeoutMs ?? 5000),
      };
      child.stdin!.write('\n');
    });
  }

  private startShell(): ChildProcess {
    // Its own process group, so a timeout kills the ss it runs too.
    const shell = ['/bin/sh', '-c', LOOP, this.opts.command ?? 'ss', ...this.args];
    const [file, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...shell] : shell;
    const child = spawn(file!, args, {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    });
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(child, chunk));
    // A write to a shell that died: the 'close' below settles the run.
    child.stdin.on('error', () => {});
    child.once('error', () => this.onGone(child));
    child.once('close', () => this.onGone(child));
    // Neither the shell nor its pipes keep the daemon's event loop alive.
    child.unref();
    for (const s of [child.stdin, child.stdout] as unknown as { unref?: () => void }[]) s.unref?.();
    return child;
  }

  private onData(child: ChildProcess, chunk: string): void {
    if (this.pending?.child !== child) return;
    // Chunks are kept apart and joined once: a string grown chunk by chunk and searched each
    // time is copied flat at every chunk (the bench's allocation sampling found it).
    this.chunks.push(chunk);
    this.tail = (chunk.length >= 64 ? chunk : this.tail + chunk).slice(-64);
    if (!this.tail.endsWith('\n')) return;
    // The answer is complete when its last line is the end marker (ss's own lines never are).
    const line = this.tail.slice(this.tail.lastIndexOf('\n', this.tail.length - 2) + 1, -1);
    if (!line.startsWith(END)) return;
    const text = this.chunks.join('');
    const status = Number(line.slice(END.length));
    this.settle(child, status === 0 ? text.slice(0, text.length - line.length - 1) : null);
  }

  /** Ends the run `child` serves, if any. */
  private settle(child: ChildProcess | null, text: string | null): void {
    const p = this.pending;
    if (!p || p.child !== child) return;
    this.pending = null;
    this.chunks = [];
    this.tail = '';
    clearTimeout(p.timer);
    p.resolve(text);
  }

  private onGone(child: ChildProcess): void {
    if (this.child === child) this.child = null;
    this.settle(child, null);
  }

  private kill(): void {
    const child = this.child;
    this.child = null;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    this.settle(child, null);
  }
}
