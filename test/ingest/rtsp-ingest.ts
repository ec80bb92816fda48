// RTSP ingest: rtsp_record_server.py (GStreamer's RTSP server in RECORD mode) takes ANNOUNCE/RECORD
// on any path and writes <dir>/<name>-<n>.ts, a new n per publish session. With a certificate it
// is an RTSPS server (RTSP over TLS on the same port).
import { fileURLToPath } from 'node:url';
import { BaseIngest } from './base-ingest.ts';
import { spawnManaged, killHard } from './process.ts';
import type { Managed } from './process.ts';
import type { Certificate } from './tls-certificate.ts';

const SCRIPT = fileURLToPath(new URL('./rtsp_record_server.py', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, the one with python3-gi
const READY_TIMEOUT_MS = 15_000;

export interface RecordEvent {
  stream: string;
  file: string | null;
}

export class RtspIngest extends BaseIngest {
  readonly kind: 'rtsp' | 'rtsps';
  protected readonly ext = '.ts';
  /** Every ANNOUNCE the server accepted, in order (across restarts). */
  readonly sessions: RecordEvent[] = [];

  constructor(
    dir?: string,
    private readonly tls?: Certificate,
  ) {
    super(dir);
    this.kind = tls ? 'rtsps' : 'rtsp';
  }

  protected launch(port: number): Promise<Managed> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!err) return resolve(proc);
        void killHard(proc).then(() => reject(err));
      };
      const proc = spawnManaged(
        PYTHON,
        [
          SCRIPT,
          ...['--address', this.host, '--port', String(port), '--dir', this.dir],
          ...(this.tls ? ['--cert', this.tls.cert, '--key', this.tls.key] : []),
        ],
        {
          stdin: true, // the server exits when this pipe closes
          onLine: (line) => {
            if (!line.startsWith('{')) return;
            const msg = JSON.parse(line) as {
              ready?: boolean;
              error?: string;
              record?: string;
              file?: string;
            };
            if (msg.record !== undefined) this.sessions.push({ stream: msg.record, file: msg.file ?? null });
            else if (msg.ready) settle(null);
            else if (msg.error) settle(new Error(msg.error));
          },
        },
      );
      const timer = setTimeout(
        () => settle(new Error(`no ready line within ${READY_TIMEOUT_MS} ms: ${proc.tail()}`)),
        READY_TIMEOUT_MS,
      );
      void proc.exited.then((e) => settle(new Error(`exited (${e.code ?? e.signal}): ${proc.tail()}`)));
    });
  }
}

/** With `tls`, an RTSPS server presenting that certificate. */
export function startRtspIngest(opts: { dir?: string; tls?: Certificate } = {}): Promise<RtspIngest> {
  return new RtspIngest(opts.dir, opts.tls).start();
}
