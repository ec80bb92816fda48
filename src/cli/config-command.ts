// `edge-gateway config check <file>`: judge a configuration's structure and report every problem
// at once. Secrets that are not set yet are listed apart, with where each was looked for: a
// technician checks the file before the secrets are installed; --strict (the unit's pre-start
// check) also fails on them.
import type { Command } from 'commander';
import { ConfigError, formatPath, readConfigDocument, validateConfig } from '../config/load.ts';
import type { SecretProblem } from '../config/secrets.ts';
import { t } from '../i18n/index.ts';
import { configProblem, lookedIn } from './config-text.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, type Io } from './output.ts';

interface CheckFlags {
  json?: boolean;
  strict?: boolean;
  credentials?: string;
}

interface Summary {
  site: string;
  cameras: number;
  destinations: number;
}

/** The summary line's figures from the parsed document, when the schema could not give them. */
function summaryOf(doc: unknown): Summary {
  const d = (doc ?? {}) as { site?: { id?: unknown }; cameras?: unknown; destinations?: unknown };
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return {
    site: typeof d.site?.id === 'string' ? d.site.id : '?',
    cameras: count(d.cameras),
    destinations: count(d.destinations),
  };
}

export function registerConfigCommand(program: Command, io: Io): void {
  const config = program.command('config').description(t('config.description'));
  config
    .command('check')
    .description(t('config.check.description'))
    .argument('<file>', t('config.check.file'))
    .option('--json', t('opt.json.result'))
    .option('--strict', t('config.check.strict'))
    .option('--credentials <dir>', t('config.check.credentials'))
    .action((file: string, opts: CheckFlags) => {
      const source = {
        credentialsDir: opts.credentials ?? process.env.CREDENTIALS_DIRECTORY,
        env: process.env,
      };
      let structural: string[] = [];
      let secrets: SecretProblem[] = [];
      let summary: Summary | null = null;
      try {
        const doc = readConfigDocument(file);
        summary = summaryOf(doc);
        const cfg = validateConfig(doc, file, source);
        summary = { site: cfg.site.id, cameras: cfg.cameras.length, destinations: cfg.destinations.length };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        structural = err.structural;
        secrets = err.secrets;
      }
      const failed = structural.length > 0 || (opts.strict === true && secrets.length > 0);
      if (opts.json) {
        printJson(io, {
          file,
          valid: !failed,
          problems: structural,
          missingSecrets: secrets.map((s) => ({
            name: s.name,
            path: formatPath(s.path),
            lookedIn: s.lookedIn,
          })),
        });
      } else {
        if (structural.length > 0) {
          io.err(t('config.problems', { file, count: structural.length }));
          for (const p of structural) io.err(`  ${configProblem(p)}`);
        } else if (summary) {
          io.out(t('config.ok', { file, ...summary }));
        }
        if (secrets.length > 0) {
          const say = failed ? io.err : io.out;
          say(
            t(opts.strict ? 'config.secretsMissingStrict' : 'config.secretsMissing', {
              count: secrets.length,
            }),
          );
          for (const s of secrets)
            say(
              `  \${${s.name}} (${formatPath(s.path)}): ${t('config.lookedIn')} ${s.lookedIn.map(lookedIn).join(', ')}`,
            );
          if (!source.credentialsDir) say(t('config.noCredentialsDir'));
        }
      }
      if (failed)
        throw new ExitError(
          structural.length > 0
            ? t('config.invalid', { file })
            : t('config.secretsUnset', { names: secrets.map((s) => s.name).join(', ') }),
          EXIT.config,
        );
    });
}
