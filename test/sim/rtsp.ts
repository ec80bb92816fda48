// Runs rtsp_server.py (GStreamer) for one camera: one process, mounts /<id>/main, /<id>/sub (and
// /<id>/jpeg for Axis). GStreamer cannot listen on port 0, so a free port is found first and retried.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.ts';

export const RTSP_SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, the one with python3-gi

export interface MountSpec {
  path: string;
  width: number;
  height: number;
  fps: number;
  bitrate: number;
  codec: 'h264' | 'h265' | 'jpeg';
  profile: 'main';
}

export function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class RtspProcess {
  private child: ChildProcessWithoutNullStreams | undefined;

  constructor(
    private readonly host: string,
    private readonly mounts: MountSpec[],
    /** 0 until the first start picks one; restarts reuse it. */
    public port: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const fixed = this.port !== 0;
    let lastError = '';
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = fixed ? this.port : await freeTcpPort(this.host);
      try {
        await this.spawnOnce(port);
        this.port = port;
        return;
      } catch (e) {
        lastError = (e as Error).message;
        // A just-killed server's port can take a moment to be free again.
        await new Promise((r) => setTimeout(r, fixed ? 250 : 20));
      }
    }
    throw new Error(`rtsp_server.py did not start on ${this.host}: ${lastError}`);
  }

  private spawnOnce(port: number): Promise<void> {
    const args = [
      RTSP_SCRIPT,
      '--address',
      this.host,
      '--port',
      String(port),
      '--mounts',
      JSON.stringify(this.mounts),
    ];
    const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const fail = (why: string) => {
        child.kill('SIGKILL');
        reject(new Error(`${why} ${err.slice(-500)}`));
      };
      const timer = setTimeout(() => fail('no ready line within 15 s'), 15_000);
      child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line) return;
        clearTimeout(timer);
        const msg = JSON.parse(line) as { ready?: boolean; error?: string };
        if (msg.ready) {
          this.child = child;
          child.stdout.removeAllListeners('data');
          child.stdout.resume();
          resolve();
        } else fail(msg.error ?? line);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        reject(new Error(`exited with ${code}: ${err.slice(-500)}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
