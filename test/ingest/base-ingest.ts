// What the RTSP and RTMP ingests share: port choice and restart on the same port, the recording
// directory and its per-stream files, probing, frame counting and the fault injection signals.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameCounter } from './frames.ts';
import type { Ingest, IngestKind } from './index.ts';
import { probeFiles } from './probe.ts';
import type { ProbeResult } from './probe.ts';
import { freePort, LOOPBACK } from './ports.ts';
import { killHard, removeAtExit, sleep, terminate } from './process.ts';
import type { Managed } from './process.ts';

export abstract class BaseIngest implements Ingest {
  abstract readonly kind: IngestKind;
  readonly host = LOOPBACK;
  port = 0;
  readonly dir: string;
  protected proc: Managed | null = null;
  /** The latest process, kept after kill()/stop() so log() can still tell what happened. */
  private last: Managed | null = null;
  private readonly counter = new FrameCounter();
  private paused = false;

  /** File name extension of recordings: names are `<stream>-<number><ext>`. */
  protected abstract readonly ext: string;
  /** Start the server on `port`; resolve once it listens, reject (with the process gone) otherwise. */
  protected abstract launch(port: number): Promise<Managed>;

  private readonly ownDir: boolean;

  /** dir: where to record, kept after stop(); without one, a temp dir that stop() deletes. */
  constructor(dir?: string) {
    this.ownDir = !dir;
    if (dir) {
      this.dir = dir;
      mkdirSync(dir, { recursive: true });
    } else {
      this.dir = mkdtempSync(join(tmpdir(), 'edge-ingest-'));
      removeAtExit(this.dir); // in case stop() is never reached
    }
  }

  get urlTemplate(): string {
    return `${this.kind}://${this.host}:${this.port}/live/{cameraId}`;
  }

  url(stream: string): string {
    return this.urlTemplate.replace('{cameraId}', stream);
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Recent output of the server, for assertion messages. */
  log(): string {
    return this.last?.tail() ?? '';
  }

  files(stream: string): string[] {
    const re = new RegExp(
      `^${stream.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)${this.ext.replace('.', '\\.')}$`,
    );
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map((n) => ({ n, m: re.exec(n) }))
      .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
      .map((x) => join(this.dir, x.n));
  }

  probe(stream: string): Promise<ProbeResult> {
    return probeFiles(this.files(stream));
  }

  framesReceived(stream: string): Promise<number> {
    return this.counter.total(this.files(stream));
  }

  pause(): void {
    this.running().child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.running().child.kill('SIGCONT');
    this.paused = false;
  }

  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    this.paused = false;
    if (p) await killHard(p);
  }

  async restart(): Promise<void> {
    await this.halt();
    // The port was ours: retry while the kernel lets go of it (or a racing process does).
    let last: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        mkdirSync(this.dir, { recursive: true }); // stop() may have removed our own temp dir
        this.proc = this.last = await this.launch(this.port);
        return;
      } catch (e) {
        last = e;
        await sleep(250);
      }
    }
    throw new Error(`${this.kind} ingest did not restart on port ${this.port}: ${String(last)}`);
  }

  async stop(): Promise<void> {
    await this.halt();
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the process cleanly, keeping everything needed to start it again. */
  private async halt(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    this.paused = false;
    if (p) await terminate(p);
  }

  /** First start: a free port, retried if another process grabs it before the server binds. */
  async start(): Promise<this> {
    let last: unknown;
    for (let i = 0; i < 8; i++) {
      const port = await freePort(this.host);
      try {
        this.proc = this.last = await this.launch(port);
        this.port = port;
        return this;
      } catch (e) {
        last = e;
      }
    }
    throw new Error(`${this.kind} ingest did not start: ${String(last)}`);
  }

  private running(): Managed {
    if (!this.proc) throw new Error(`${this.kind} ingest is not running`);
    return this.proc;
  }
}
