// `edge-gateway status`: what the running daemon is doing, read from its local status socket.
import http from 'node:http';
import type { Command } from 'commander';
import type { GatewayStatus } from '../core/status.ts';
import { optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, table, type Io } from './output.ts';

const DEFAULT_SOCKET = '/run/edge-gateway/status.sock';

/** Reads the daemon's status document from its unix socket. */
export function fetchStatus(socketPath: string): Promise<GatewayStatus> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/status', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as GatewayStatus);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('the daemon did not answer within 5 s')));
    req.on('error', reject);
  });
}

const n = (v: number | null, unit = '') => (v === null ? '-' : `${v}${unit}`);

export function registerStatusCommand(program: Command, io: Io): void {
  program
    .command('status')
    .description("show the running daemon's streams and destinations")
    .option('--json', 'print JSON instead of a table')
    .option('--config <file>', 'configuration file (for relay.statusSocket)')
    .option('--socket <path>', `status socket (default ${DEFAULT_SOCKET})`)
    .action(async (flags: { json?: boolean; config?: string; socket?: string }) => {
      const socket = flags.socket ?? optionalConfig(io, flags.config)?.relay.statusSocket ?? DEFAULT_SOCKET;
      let status: GatewayStatus;
      try {
        status = await fetchStatus(socket);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' || code === 'ECONNREFUSED' ? 'no gateway is running' : (err as Error).message;
        throw new ExitError(
          `${why} (status socket ${socket}). Start it with: systemctl start edge-gateway, or edge-gateway run --config FILE`,
          EXIT.checkFailed,
        );
      }
      if (flags.json) return printJson(io, status);
      io.out(
        `site ${status.site.id} (${status.site.name}), up ${status.uptimeSeconds} s, ffmpeg ${status.ffmpeg ?? '?'}, uplink need ${n(status.uplinkKbps, ' kbit/s')}`,
      );
      for (const w of status.warnings) io.out(`warning: ${w}`);
      const rows = status.streams.flatMap((s) => [
        [
          s.cameraId,
          s.profile,
          '(camera)',
          s.state,
          n(s.fps),
          n(s.kbps),
          n(s.lastFrameAgeSeconds, 's'),
          s.restartsLastHour,
          n(s.uptimeSeconds, 's'),
        ],
        ...s.destinations.map((d) => [
          '',
          '',
          d.id + (d.transcoding ? ` (transcode ${n(d.cpuPercent, '%')} cpu)` : ''),
          d.state,
          n(d.fps),
          n(d.kbps),
          n(d.lastFrameAgeSeconds, 's'),
          d.restartsLastHour,
          n(d.uptimeSeconds, 's'),
        ]),
      ]);
      io.out(
        table(
          ['CAMERA', 'PROFILE', 'PART', 'STATE', 'FPS', 'KBIT/S', 'LAST FRAME', 'RESTARTS/H', 'UPTIME'],
          rows,
        ),
      );
    });
}
