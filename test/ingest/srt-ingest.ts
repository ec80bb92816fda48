// SRT ingest: Debian's srt-live-transmit as a listener on a loopback UDP port, writing the MPEG-TS
// it receives to <dir>/<stream>-<n>.ts, a new n per start of the server (it takes the next caller
// by itself after one leaves). It has no stream names: one stream per ingest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseIngest } from './base-ingest.ts';
import { killHard, sleep, spawnManaged } from './process.ts';
import type { Managed } from './process.ts';

const READY_TIMEOUT_MS = 10_000;

/** Whether a UDP socket is bound to 127.0.0.1:port (/proc/net/udp: hex address and port). */
function udpBound(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/udp', 'utf8').includes(` ${local} `);
}

export class SrtIngest extends BaseIngest {
  readonly kind = 'srt' as const;
  protected readonly ext = '.ts';
  private session = 0;

  constructor(
    private readonly stream: string,
    dir?: string,
  ) {
    super(dir);
  }

  override get urlTemplate(): string {
    return `srt://${this.host}:${this.port}?streamid={cameraId}`;
  }

  protected async launch(port: number): Promise<Managed> {
    const file = join(this.dir, `${this.stream}-${++this.session}.ts`);
    // sh execs the server (same pid), so pause() and kill() reach it.
    const proc = spawnManaged('/bin/sh', [
      '-c',
      'exec srt-live-transmit -q "$1" file://con > "$2"',
      'sh',
      `srt://${this.host}:${port}?mode=listener`,
      file,
    ]);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && !proc.exit()) {
      if (udpBound(port)) return proc;
      await sleep(50);
    }
    await killHard(proc);
    throw new Error(`srt-live-transmit did not listen on ${this.host}:${port}: ${proc.tail()}`);
  }
}

export function startSrtIngest(stream: string, opts: { dir?: string } = {}): Promise<SrtIngest> {
  return new SrtIngest(stream, opts.dir).start();
}
