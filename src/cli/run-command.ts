// `edge-gateway run`: the daemon in the foreground, as systemd runs it (run-daemon.ts, loaded only
// when `run` is asked for).
import type { Command } from 'commander';
import { t } from '../i18n/index.ts';
import { DEFAULT_CONFIG } from './context.ts';
import type { Io } from './output.ts';

export function registerRunCommand(program: Command, io: Io): void {
  program
    .command('run')
    .description(t('run.description'))
    .option('--config <file>', t('run.opt.config', { file: DEFAULT_CONFIG }))
    .action(async (flags: { config?: string }) => {
      const { runDaemon } = await import('./run-daemon.ts');
      await runDaemon(flags, io);
    });
}
