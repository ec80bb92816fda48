// `edge-gateway config check <file>`: validate a configuration and report every problem at once.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.ts';
import { t } from '../i18n/index.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, type Io } from './output.ts';

export function registerConfigCommand(program: Command, io: Io): void {
  const config = program.command('config').description('work with the configuration file');
  config
    .command('check')
    .description('validate a configuration file; exit 78 and list every problem when it is invalid')
    .argument('<file>', 'YAML or JSON configuration file')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const cfg = loadConfig(file);
        if (opts.json) printJson(io, { file, valid: true, problems: [] });
        else
          io.out(
            t('config.ok', {
              file,
              site: cfg.site.id,
              cameras: cfg.cameras.length,
              destinations: cfg.destinations.length,
            }),
          );
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        if (opts.json) printJson(io, { file, valid: false, problems: err.problems });
        else io.err(err.message);
        throw new ExitError('invalid configuration', EXIT.config);
      }
    });
}
