// The local status interface: HTTP on a unix socket (no network exposure), read by
// `edge-gateway status` and, later, by the systemd watchdog through /health.
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname } from 'node:path';
import { scrubValue } from '../log/secrets.ts';
import type { Module } from '../core/module.ts';

export interface StatusSource {
  status(): unknown;
  health(): { ok: boolean; reasons: string[] };
  /** POST /reload: read the configuration again and apply it (`edge-gateway reload`). */
  reload?(): Promise<unknown>;
}

/** A socket file left by a killed daemon refuses connections; one that answers belongs to a live daemon. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** Another daemon answers on the status socket: a temporary condition (sysexits 75), not a bug. */
export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

export class StatusServer implements Module {
  readonly name = 'status';
  private server: http.Server | null = null;

  constructor(
    private readonly path: string,
    private readonly source: StatusSource,
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) {
      if (await socketInUse(this.path))
        throw new AlreadyRunningError(`another gateway is running (its status socket ${this.path} answers)`);
      unlinkSync(this.path);
    }
    const server = http.createServer((req, res) => {
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(scrubValue(body)));
      };
      if (req.method === 'POST' && req.url === '/reload' && this.source.reload) {
        this.source.reload().then(
          (result) => send(200, result),
          (err: Error) => send(500, { ok: false, problems: [err.message] }),
        );
        return;
      }
      if (req.method !== 'GET') return send(405, { error: 'GET only' });
      if (req.url === '/status') return send(200, this.source.status());
      if (req.url === '/health') {
        const h = this.source.health();
        return send(h.ok ? 200 : 503, h);
      }
      send(404, { error: 'not found' });
    });
    // Created with a tight umask, so there is no moment when other users can connect.
    const umask = process.umask(0o117);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => resolve());
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(this.path, 0o660);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
