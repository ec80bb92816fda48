// `edge-gateway survey`: the site survey report (khảo sát hiện trạng) in one command.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { currentLang, t } from '../i18n/index.ts';
import { scrubText } from '../log/secrets.ts';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../report/index.ts';
import type { SurveyProgress } from '../survey/run-survey.ts';
import { collect, optionalConfig } from './context.ts';
import { discoverProgressLine } from './discover-command.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import type { Io } from './output.ts';

interface SurveyFlags {
  config?: string;
  out?: string;
  format?: string;
  by?: string;
  timeout?: string;
  scan?: string[];
  interface?: string[];
  multicast: boolean;
}

const EXTENSIONS: Record<string, ReportFormat> = {
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.csv': 'csv',
  '.json': 'json',
};

export function formatOf(flags: { format?: string; out?: string }): ReportFormat {
  if (flags.format !== undefined) {
    if (!(REPORT_FORMATS as readonly string[]).includes(flags.format))
      throw new ExitError(t('survey.err.format', { value: JSON.stringify(flags.format) }), EXIT.usage);
    return flags.format as ReportFormat;
  }
  return EXTENSIONS[extname(flags.out ?? '').toLowerCase()] ?? 'md';
}

export function registerSurveyCommand(program: Command, io: Io): void {
  program
    .command('survey')
    .description(t('survey.cmd.description'))
    .option('--config <file>', t('survey.opt.config'))
    .option('--out <file>', t('survey.opt.out'))
    .option('--format <format>', t('survey.opt.format'))
    .option('--by <name>', t('survey.opt.by'))
    .option('--timeout <seconds>', t('survey.opt.timeout'))
    .option('--scan <cidr>', t('survey.opt.scan'), collect)
    .option('--interface <name>', t('survey.opt.interface'), collect)
    .addOption(new Option('--no-multicast', t('cli.opt.noMulticast')))
    .action(async (flags: SurveyFlags) => {
      const format = formatOf(flags);
      const cfg = optionalConfig(io, flags.config);
      const seconds = flags.timeout === undefined ? undefined : Number(flags.timeout);
      if (seconds !== undefined && !(seconds > 0 && seconds <= 600))
        throw new ExitError(
          t('cli.err.seconds', { name: '--timeout', value: JSON.stringify(flags.timeout) }),
          EXIT.usage,
        );
      // Loaded here, not at start-up: `run` never pays for ONVIF and XML parsing.
      const { runSurvey } = await import('../survey/run-survey.ts');
      const { discoverOptionsFrom } = await import('../onvif/discover.ts');
      const base = discoverOptionsFrom(cfg);
      const report = await runSurvey({
        cfg,
        technician: flags.by ?? null,
        gatewayVersion: process.env.npm_package_version ?? '0.1.0',
        discover: {
          ...(flags.interface ? { interfaces: flags.interface } : {}),
          subnets: [...base.subnets, ...(flags.scan ?? [])],
          ...(seconds ? { probeWindowMs: seconds * 1000 } : {}),
          multicast: flags.multicast,
        },
        progress: (e) => {
          const line = progressLine(e);
          if (line) io.progress(line);
        },
      });
      const text = renderReport(report, format, currentLang());
      const failed = report.cameras.filter((c) => c.verdict === 'fail').length;
      if (flags.out) {
        try {
          writeFileSync(flags.out, scrubText(text));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'error';
          throw new ExitError(t('survey.err.write', { file: flags.out, code }), EXIT.usage);
        }
        io.err(t('survey.written', { file: flags.out, cameras: report.cameras.length, failed }));
      } else io.out(text.replace(/\n$/, ''));
      process.exitCode = report.cameras.length > 0 ? EXIT.ok : EXIT.checkFailed;
    });
}

function progressLine(e: SurveyProgress): string | null {
  if (e.phase !== 'camera') return discoverProgressLine(e);
  const result = t(`survey.verdict.${e.verdict}`);
  return t('survey.progress.camera', { done: e.done, total: e.total, camera: e.id, result });
}
