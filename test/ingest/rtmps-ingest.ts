// RTMPS ingest: the nginx-rtmp ingest (rtmp-ingest.ts) on a private port behind stunnel, which
// terminates TLS with the given certificate, as platforms that offer RTMPS often do. A restart
// restarts both; pause() stops stunnel, the process the gateway's connection talks to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseIngest } from './base-ingest.ts';
import { canConnect } from './ports.ts';
import { killHard, removeAtExit, sleep, spawnManaged } from './process.ts';
import type { Managed } from './process.ts';
import { RtmpIngest, type RtmpIngestOptions } from './rtmp-ingest.ts';
import type { Certificate } from './tls-certificate.ts';

const READY_TIMEOUT_MS = 10_000;

export class RtmpsIngest extends BaseIngest {
  readonly kind = 'rtmps' as const;
  protected readonly ext = '.flv';
  private readonly inner: RtmpIngest;
  private readonly conf = mkdtempSync(join(tmpdir(), 'edge-ingest-stunnel-'));

  constructor(
    private readonly tls: Certificate,
    opts: RtmpIngestOptions = {},
  ) {
    super(opts.dir);
    removeAtExit(this.conf);
    this.inner = new RtmpIngest({ ...opts, dir: this.dir });
  }

  protected async launch(port: number): Promise<Managed> {
    if (this.inner.port) await this.inner.restart();
    else await this.inner.start();
    const conf = join(this.conf, 'stunnel.conf');
    writeFileSync(
      conf,
      [
        'foreground = yes',
        'pid =',
        '[rtmps]',
        `accept = ${this.host}:${port}`,
        `connect = ${this.host}:${this.inner.port}`,
        `cert = ${this.tls.cert}`,
        `key = ${this.tls.key}`,
        '',
      ].join('\n'),
    );
    const proc = spawnManaged('stunnel4', [conf]);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && !proc.exit()) {
      if (await canConnect(port, this.host)) return proc;
      await sleep(50);
    }
    await killHard(proc);
    throw new Error(`stunnel did not listen on ${this.host}:${port}: ${proc.tail()}`);
  }

  override log(): string {
    return `${super.log()}${this.inner.log()}`;
  }

  override async kill(): Promise<void> {
    await Promise.all([super.kill(), this.inner.kill()]);
  }

  override async stop(): Promise<void> {
    await this.inner.stop();
    await super.stop();
    rmSync(this.conf, { recursive: true, force: true });
  }
}

export function startRtmpsIngest(tls: Certificate, opts: RtmpIngestOptions = {}): Promise<RtmpsIngest> {
  return new RtmpsIngest(tls, opts).start();
}
