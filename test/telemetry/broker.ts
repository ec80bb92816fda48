// A real mosquitto per test file, on a loopback port chosen by the OS: start, stop, kill -9,
// freeze (SIGSTOP, a black-holed uplink: the socket stays open, nothing answers) and restart on
// the same port, with or without persistence.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, waitFor } from '../support/wait.ts';

export interface BrokerTls {
  ca: string;
  cert: string;
  key: string;
  requireClientCert: boolean;
}

export interface BrokerOptions {
  persistence?: boolean;
  tls?: BrokerTls;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

export class Broker {
  readonly dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  private proc: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly port: number,
    private opts: BrokerOptions,
  ) {}

  /** Picks a free port; the broker is not started until start(). */
  static async create(opts: BrokerOptions = {}): Promise<Broker> {
    return new Broker(await freePort(), opts);
  }

  get url(): string {
    return `${this.opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  output(): string {
    return this.log;
  }

  private config(): string {
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous true',
      // Running as root, mosquitto would switch to a user that cannot read our temporary files.
      'user root',
      `persistence ${this.opts.persistence ? 'true' : 'false'}`,
      `persistence_location ${this.dir}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ];
    const tls = this.opts.tls;
    if (tls) {
      lines.push(`cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`);
      if (tls.requireClientCert) lines.push('require_certificate true');
    }
    const file = join(this.dir, 'mosquitto.conf');
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  async start(opts: Partial<BrokerOptions> = {}): Promise<void> {
    this.opts = { ...this.opts, ...opts };
    const proc = spawn('/usr/sbin/mosquitto', ['-c', this.config()], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr.on('data', (c: Buffer) => (this.log = (this.log + c.toString()).slice(-20_000)));
    this.proc = proc;
    await waitFor(
      async () => (proc.exitCode !== null ? Promise.reject(new Error(this.log)) : portOpen(this.port)),
      `mosquitto on port ${this.port}`,
      10_000,
      25,
    );
  }

  private async exit(signal: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await exited;
    // The port is free again only once the listening socket is gone.
    await waitFor(async () => !(await portOpen(this.port)), `port ${this.port} to close`, 10_000, 25);
  }

  /** A clean stop (persistence is written). */
  stop(): Promise<void> {
    return this.exit('SIGTERM');
  }

  /** A crash: nothing is written, every connection drops at once. */
  kill(): Promise<void> {
    return this.exit('SIGKILL');
  }

  /** A black hole: sockets stay open and accept bytes but nothing answers. */
  freeze(): void {
    if (this.proc?.pid) process.kill(this.proc.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (this.proc?.pid) process.kill(this.proc.pid, 'SIGCONT');
  }

  /** Stops (a frozen one too) and removes its files; safe to call twice. */
  async dispose(): Promise<void> {
    const pid = this.proc?.pid;
    if (pid && alive(pid)) {
      this.thaw();
      await this.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
