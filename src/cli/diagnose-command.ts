// `edge-gateway diagnose <host[:port]>`: the ladder of checks for one camera, first failure first.
import type { Command } from 'commander';
import { verdictOf } from '../core/diagnosis.ts';
import { t } from '../i18n/index.ts';
import { credentialsFrom, optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, type Io } from './output.ts';

interface DiagnoseFlags {
  json?: boolean;
  username?: string;
  passwordFile?: string;
  config?: string;
  timeout?: string;
}

export function registerDiagnoseCommand(program: Command, io: Io): void {
  program
    .command('diagnose')
    .description(t('diagnose.description'))
    .argument('<target>', t('diagnose.target'))
    .option('--json', t('opt.json.text'))
    .option('--username <user>', t('opt.username'))
    .option('--password-file <file>', t('opt.passwordFile'))
    .option('--timeout <seconds>', t('diagnose.opt.timeout'))
    .option('--config <file>', t('diagnose.opt.config'))
    .action(async (target: string, flags: DiagnoseFlags) => {
      if (!/^(https?:\/\/)?[\w.-]+(:\d{1,5})?(\/\S*)?$/.test(target)) {
        throw new ExitError(t('err.target', { value: JSON.stringify(target) }), EXIT.usage);
      }
      const cfg = optionalConfig(io, flags.config);
      const timeout =
        flags.timeout === undefined ? (cfg?.discovery.callTimeoutSeconds ?? 6) : Number(flags.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 120) {
        throw new ExitError(t('err.timeout120', { value: JSON.stringify(flags.timeout) }), EXIT.usage);
      }
      // Loaded here, not at start-up: `run` and the other commands never pay for ONVIF and XML parsing.
      const { diagnose } = await import('../diagnose/ladder.ts');
      const result = await diagnose(target, {
        credentials: credentialsFrom(flags, cfg?.discovery),
        timeoutMs: timeout * 1000,
        maxInFlight: cfg?.discovery.maxInFlightPerCamera ?? 2,
      });
      const verdict = verdictOf(result.checks);
      if (flags.json) printJson(io, { ...result, verdict });
      else {
        io.out(t('diag.header', { target: result.target }));
        for (const c of result.checks) {
          io.out(`  ${t(`mark.${c.status}`).padEnd(8)}  ${c.id.padEnd(10)} ${c.summary}`);
          if (c.hint && c.status !== 'pass' && c.status !== 'skip') io.out(`        -> ${c.hint}`);
        }
        const failed = result.checks.find((c) => c.status === 'fail');
        io.out(
          failed
            ? t('diagnose.verdict.fail', { step: failed.id })
            : t(verdict === 'warn' ? 'diagnose.verdict.warn' : 'diagnose.verdict.pass'),
        );
      }
      process.exitCode = verdict === 'fail' ? EXIT.checkFailed : EXIT.ok;
    });
}
