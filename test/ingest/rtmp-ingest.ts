// RTMP ingest: nginx with Debian's libnginx-mod-rtmp, as many central platforms run it. One nginx
// process (no master, no daemon) so pause() can SIGSTOP exactly the process that reads the sockets;
// config, pid and logs live in a private prefix so nothing touches /etc/nginx, /var/log or port 80.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseIngest } from './base-ingest.ts';
import { canConnect } from './ports.ts';
import { killHard, removeAtExit, sleep, spawnManaged } from './process.ts';
import type { Managed } from './process.ts';

const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const MODULE_CANDIDATES = [
  '/usr/lib/nginx/modules/ngx_rtmp_module.so',
  '/usr/share/nginx/modules/ngx_rtmp_module.so',
];
const READY_TIMEOUT_MS = 10_000;

export interface RtmpIngestOptions {
  dir?: string;
  /**
   * nginx-rtmp's drop_idle_publisher, in seconds (default off). With it, a publisher whose connection
   * went silent (black-holed) is dropped so the same stream name can be published again; without it
   * the name stays taken until nginx's ping or socket timeout ends the old session (about 60-90 s).
   * Note that nginx checks it on resume() too: a pause longer than this drops the publisher.
   */
  dropIdlePublisherSeconds?: number;
}

function rtmpModule(): string {
  const found = MODULE_CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  // Debian's package also ships a snippet naming the module; follow it if the layout ever changes.
  const snippet = '/usr/share/nginx/modules-available/mod-rtmp.conf';
  const m = existsSync(snippet) ? /load_module\s+(\S+?);/.exec(readFileSync(snippet, 'utf8')) : null;
  if (m?.[1] && existsSync(m[1])) return m[1];
  throw new Error(
    'ngx_rtmp_module.so not found: install nginx-light and libnginx-mod-rtmp (scripts/setup.sh)',
  );
}

export class RtmpIngest extends BaseIngest {
  readonly kind = 'rtmp' as const;
  protected readonly ext = '.flv';
  /** nginx's prefix: nginx.conf, nginx.pid, error.log. */
  readonly prefix = mkdtempSync(join(tmpdir(), 'edge-ingest-nginx-'));

  constructor(private readonly opts: RtmpIngestOptions = {}) {
    super(opts.dir);
    removeAtExit(this.prefix); // if stop() is never called
  }

  private config(port: number): string {
    const idle = this.opts.dropIdlePublisherSeconds;
    return [
      `load_module ${rtmpModule()};`,
      'daemon off;',
      'master_process off;',
      'worker_processes 1;',
      `pid ${join(this.prefix, 'nginx.pid')};`,
      `error_log ${join(this.prefix, 'error.log')} info;`,
      'events { worker_connections 256; }',
      'rtmp {',
      // Its default access log is /var/log/nginx/access.log, which only root may open: the demo runs without.
      '  access_log off;',
      '  server {',
      `    listen ${this.host}:${port};`,
      '    application live {',
      '      live on;',
      '      record all;',
      `      record_path "${this.dir}";`,
      // <name>-<unix time of publish>.flv: every session its own file. A session that starts in the
      // same second as the previous one of that name (a publisher reconnecting at once after one that
      // lasted under a second) reuses and truncates the name; record_append did not help here.
      '      record_unique on;',
      ...(idle ? [`      drop_idle_publisher ${idle}s;`] : []),
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
  }

  /** nginx's error log (connections, publishes, drops), for assertion messages. */
  errorLog(): string {
    try {
      return readFileSync(join(this.prefix, 'error.log'), 'utf8').slice(-6000);
    } catch {
      return '';
    }
  }

  override log(): string {
    return `${super.log()}${this.errorLog()}`;
  }

  protected async launch(port: number): Promise<Managed> {
    const conf = join(this.prefix, 'nginx.conf');
    const pidFile = join(this.prefix, 'nginx.pid');
    mkdirSync(this.prefix, { recursive: true }); // stop() removes it; restart() may follow
    writeFileSync(conf, this.config(port));
    rmSync(pidFile, { force: true });
    const proc = spawnManaged(NGINX, [
      '-p',
      `${this.prefix}/`,
      '-c',
      conf,
      '-e',
      join(this.prefix, 'error.log'),
    ]);
    // nginx writes its pid file only after it has bound its listening sockets: that is the signal.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exit()) break;
      const written = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
      if (written === String(proc.pid) && (await canConnect(port, this.host))) return proc;
      await sleep(50);
    }
    await killHard(proc);
    throw new Error(`nginx did not start on ${this.host}:${port}: ${proc.tail()} ${this.errorLog()}`);
  }

  override async stop(): Promise<void> {
    await super.stop();
    rmSync(this.prefix, { recursive: true, force: true });
  }
}

export function startRtmpIngest(opts: RtmpIngestOptions = {}): Promise<RtmpIngest> {
  return new RtmpIngest(opts).start();
}
