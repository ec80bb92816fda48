// `edge-gateway status`: what the running daemon is doing, read from its local status socket.
import http from 'node:http';
import type { Command } from 'commander';
import { t } from '../i18n/index.ts';
import { mismatchParams } from '../core/codec-fit.ts';
import type { GatewayStatus, PartStatus, StreamStatus } from '../core/status.ts';
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
    req.on('timeout', () => req.destroy(new Error(t('status.noAnswer'))));
    req.on('error', reject);
  });
}

const n = (v: number | null, unit = '') => (v === null ? '-' : `${v}${unit}`);

/** A part's state, with what a technician must see first: a refused login, a part failing (issue 12). */
function stateText(p: PartStatus, stream?: StreamStatus): string {
  let state: string = p.state;
  if (stream && p.state === 'auth-failed')
    state = stream.authRetryAt
      ? t('status.authFailed', { at: stream.authRetryAt })
      : t('status.authFailedNew');
  return p.failingSince ? t('status.failing', { state, failures: p.failures }) : state;
}

export function registerStatusCommand(program: Command, io: Io): void {
  program
    .command('status')
    .description(t('status.description'))
    .option('--json', t('opt.json.table'))
    .option('--config <file>', t('status.opt.config'))
    .option('--socket <path>', t('status.opt.socket', { socket: DEFAULT_SOCKET }))
    .action(async (flags: { json?: boolean; config?: string; socket?: string }) => {
      const socket = flags.socket ?? optionalConfig(io, flags.config)?.relay.statusSocket ?? DEFAULT_SOCKET;
      let status: GatewayStatus;
      try {
        status = await fetchStatus(socket);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' || code === 'ECONNREFUSED' ? t('status.notRunning') : (err as Error).message;
        throw new ExitError(t('status.unreachable', { why, socket }), EXIT.checkFailed);
      }
      if (flags.json) return printJson(io, status);
      io.out(
        t('status.line', {
          id: status.site.id,
          name: status.site.name,
          uptime: status.uptimeSeconds,
          ffmpeg: status.ffmpeg ?? '?',
          uplink: n(status.uplinkKbps, ' kbit/s'),
        }),
      );
      for (const w of status.warnings) io.out(t('status.warning', { warning: w }));
      const rows = status.streams.flatMap((s, i) => [
        [
          s.cameraId,
          s.profile,
          t('status.camera'),
          stateText(s, s),
          n(s.fps),
          n(s.kbps),
          n(s.lastFrameAgeSeconds, 's'),
          s.restartsLastHour,
          n(s.uptimeSeconds, 's'),
          '',
        ],
        ...s.destinations.map((d) => [
          '',
          '',
          d.transcoding
            ? t('status.transcode', { id: d.id, cpu: n(d.cpuPercent, '%') })
            : d.outOfTee
              ? t('status.outOfTee', { id: d.id })
              : d.id,
          stateText(d),
          n(d.fps),
          n(d.kbps),
          n(d.lastFrameAgeSeconds, 's'),
          d.restartsLastHour,
          n(d.uptimeSeconds, 's'),
          d.availability24h === null ? '-' : `${(d.availability24h * 100).toFixed(1)}%`,
        ]),
        ...(s.recording
          ? [
              [
                '',
                '',
                t('status.recording'),
                stateText(s.recording),
                '-',
                '-',
                n(s.recording.lastFrameAgeSeconds, 's'),
                s.recording.restartsLastHour,
                n(s.recording.uptimeSeconds, 's'),
                '',
              ],
            ]
          : []),
        // After the camera's last stream: the destinations it is not sent to.
        ...(status.streams.slice(i + 1).some((x) => x.cameraId === s.cameraId)
          ? []
          : unsentRows(status, s.cameraId)),
      ]);
      const streamed = new Set(status.streams.map((s) => s.cameraId));
      for (const id of new Set(status.unsent.map((u) => u.cameraId)))
        if (!streamed.has(id)) rows.push(...unsentRows(status, id, true));
      io.out(
        table(
          [
            'col.camera',
            'col.profile',
            'col.part',
            'col.state',
            'col.fps',
            'col.kbps',
            'col.lastFrame',
            'col.restarts',
            'col.uptime',
            'col.live24h',
          ],
          rows,
        ),
      );
      for (const u of status.unsent)
        io.out(
          t('status.unsent', {
            camera: u.cameraId,
            destination: u.destinationId,
            reason: t('relay.unsent.codec', mismatchParams(u.reason)),
          }),
        );
    });
}

/** Table rows of the destinations a camera is not sent to; `named` puts the camera's id on the first. */
function unsentRows(status: GatewayStatus, cameraId: string, named = false): (string | number)[][] {
  return status.unsent
    .filter((u) => u.cameraId === cameraId)
    .map((u, i) => [
      named && i === 0 ? cameraId : '',
      '',
      u.destinationId,
      t('status.notSent'),
      '-',
      '-',
      '-',
      0,
      '-',
      '-',
    ]);
}
