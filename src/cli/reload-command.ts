// `edge-gateway reload`: asks the running daemon to read its configuration and secrets again (the
// same as SIGHUP, or systemctl reload) and prints what it applied, or why it refused the file.
import http from 'node:http';
import type { Command } from 'commander';
import { t } from '../i18n/index.ts';
import { optionalConfig } from './context.ts';
import { configProblem } from './config-text.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, type Io } from './output.ts';

const DEFAULT_SOCKET = '/run/edge-gateway/status.sock';

interface Reply {
  ok: boolean;
  problems?: string[];
  sections?: string[];
  restartNeeded?: string[];
  relay?: { started: string[]; restarted: string[]; stopped: string[] };
}

function postReload(socketPath: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/reload', method: 'POST', timeout: 60_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Reply);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(t('reload.noAnswer'))));
    req.on('error', reject);
    req.end();
  });
}

const list = (v: string[] | undefined) => (v && v.length > 0 ? v.join(', ') : '-');

export function registerReloadCommand(program: Command, io: Io): void {
  program
    .command('reload')
    .description(t('reload.description'))
    .option('--json', t('opt.json.result'))
    .option('--config <file>', t('status.opt.config'))
    .option('--socket <path>', t('status.opt.socket', { socket: DEFAULT_SOCKET }))
    .action(async (flags: { json?: boolean; config?: string; socket?: string }) => {
      const socket = flags.socket ?? optionalConfig(io, flags.config)?.relay.statusSocket ?? DEFAULT_SOCKET;
      let reply: Reply;
      try {
        reply = await postReload(socket);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' || code === 'ECONNREFUSED'
            ? t('reload.noDaemon', { socket })
            : (err as Error).message;
        throw new ExitError(why, EXIT.checkFailed);
      }
      if (flags.json) printJson(io, reply);
      else if (!reply.ok) {
        io.err(t('reload.refused', { count: reply.problems?.length ?? 0 }));
        for (const p of reply.problems ?? []) io.err(`  ${configProblem(p)}`);
      } else {
        const sections = reply.sections ?? [];
        io.out(
          sections.length > 0 ? t('reload.applied', { sections: list(sections) }) : t('reload.unchanged'),
        );
        const r = reply.relay;
        if (r)
          io.out(
            t('reload.streams', {
              started: list(r.started),
              restarted: list(r.restarted),
              stopped: list(r.stopped),
            }),
          );
        if (reply.restartNeeded?.length)
          io.out(t('reload.restartNeeded', { sections: list(reply.restartNeeded) }));
      }
      if (!reply.ok) throw new ExitError(t('reload.configRefused'), EXIT.config);
    });
}
