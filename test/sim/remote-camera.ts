// Parent side of a camera running in its own namespace (camera-main.ts): starts it with
// "ip netns exec", mirrors its failed-login state, and forwards commands over JSON lines.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trackChild } from './cleanup.ts';
import type { CameraInfo, CameraNet, SimCamera, SimCameraSpec } from './types.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./camera-main.ts', import.meta.url));
// Absolute loader URL: "--import tsx" would resolve from the cwd, which need not be the repo.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Message {
  event?: 'ready' | 'auth' | 'error';
  info?: CameraInfo;
  message?: string;
  seq?: number;
  failed?: number;
  locked?: boolean;
  reply?: number;
  ok?: boolean;
  error?: string;
}

export class RemoteCamera {
  info!: CameraInfo;
  private failed = 0;
  private isLocked = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private stderr = '';

  private constructor(
    readonly ns: string,
    readonly spec: SimCameraSpec,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {}

  static start(ns: string, spec: SimCameraSpec, net: CameraNet): Promise<RemoteCamera> {
    const args = [
      'netns',
      'exec',
      ns,
      process.execPath,
      '--import',
      TSX,
      MAIN,
      JSON.stringify({ spec, net }),
    ];
    const child = spawn('ip', args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child);
    const cam = new RemoteCamera(ns, spec, child);
    child.stderr.on('data', (b: Buffer) => (cam.stderr = (cam.stderr + b.toString()).slice(-4000)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`camera ${spec.id} in ${ns} not ready after 30 s: ${cam.stderr}`));
      }, 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        for (const p of cam.pending.values()) p.reject(new Error(`camera ${spec.id} exited`));
        cam.pending.clear();
        reject(new Error(`camera ${spec.id} exited with ${code}: ${cam.stderr}`));
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        let msg: Message;
        try {
          msg = JSON.parse(line) as Message;
        } catch {
          return;
        }
        if (msg.event === 'ready' && msg.info) {
          clearTimeout(timer);
          cam.info = msg.info;
          resolve(cam);
        } else if (msg.event === 'error') {
          clearTimeout(timer);
          reject(new Error(`camera ${spec.id}: ${msg.message}`));
        } else if (msg.event === 'auth') {
          cam.failed = msg.failed ?? cam.failed;
          cam.isLocked = msg.locked ?? cam.isLocked;
          cam.write({ ack: msg.seq });
        } else if (msg.reply !== undefined) {
          const p = cam.pending.get(msg.reply);
          cam.pending.delete(msg.reply);
          if (msg.ok) p?.resolve();
          else p?.reject(new Error(msg.error ?? 'command failed'));
        }
      });
    });
  }

  private write(msg: object): void {
    if (this.child.stdin.writable) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  command(cmd: string, extra: object = {}): Promise<void> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) return reject(new Error(`camera ${this.spec.id} is not running`));
      this.pending.set(id, { resolve, reject });
      this.write({ id, cmd, ...extra });
    });
  }

  toSimCamera(): SimCamera {
    const i = this.info;
    return {
      spec: this.spec,
      host: i.host,
      onvifPort: i.onvifPort,
      onvifUrl: i.onvifUrl,
      endpointRef: i.endpointRef,
      serial: i.serial,
      mac: i.mac,
      profiles: i.profiles,
      snapshotUrl: i.snapshotUrl,
      rtspPort: i.rtspPort,
      namespace: this.ns,
      rtspUrl: (kind) => `rtsp://${i.host}:${i.rtspPort}${i.rtspPath[kind]}`,
      failedLogins: () => this.failed,
      locked: () => this.isLocked,
      setClockSkew: (seconds) => void this.command('setClockSkew', { seconds }).catch(() => undefined),
      unlock: () => {
        this.isLocked = false;
        void this.command('unlock').catch(() => undefined);
      },
      sync: () => this.command('sync'),
      stopRtsp: () => this.command('stopRtsp'),
      startRtsp: () => this.command('startRtsp'),
      setDiscoverable: () => Promise.reject(new Error('setDiscoverable: loopback mode only')),
      moveTo: () => Promise.reject(new Error('moveTo: loopback mode only')),
      failCall: (action, how) => void this.command('failCall', { action, how }).catch(() => undefined),
      requests: () => {
        throw new Error('requests: loopback mode only');
      },
    };
  }

  /** Ask it to stop; SIGKILL if it has not exited after 5 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.write({ id: ++this.nextId, cmd: 'stop' });
      this.child.stdin.end();
    });
  }
}
