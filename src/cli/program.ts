// The `edge-gateway` command tree. Each command lives in its own file and registers itself here.
import { Command, CommanderError, Option } from 'commander';
import { setConfigLanguage } from '../config/language.ts';
import { currentLang, LANGS, setLang, t, type Lang } from '../i18n/index.ts';
import { commanderError, helpConfiguration } from './commander-text.ts';
import { registerConfigCommand } from './config-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDiscoverCommand } from './discover-command.ts';
import { registerDiagnoseCommand } from './diagnose-command.ts';
import { registerInventoryCommand } from './inventory-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerBacklogCommand } from './backlog-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerSurveyCommand } from './survey-command.ts';
import { registerReloadCommand } from './reload-command.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { processIo, type Io } from './output.ts';
import { version } from '../service/version.ts';

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('edge-gateway')
    .description(t('program.description'))
    .version(version(), '-V, --version', t('program.version'))
    .helpOption('-h, --help', t('program.help'))
    .helpCommand('help [command]', t('program.helpCommand'))
    .addOption(new Option('--lang <lang>', t('program.lang')).choices(LANGS))
    .showHelpAfterError()
    .exitOverride()
    .configureHelp(helpConfiguration)
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(commanderError(s)),
    })
    .hook('preAction', (cmd) => {
      const lang = cmd.opts<{ lang?: Lang }>().lang;
      if (lang) setLang(lang);
    });
  registerDiscoverCommand(program, io);
  registerDiagnoseCommand(program, io);
  registerInventoryCommand(program, io);
  registerConfigCommand(program, io);
  registerRunCommand(program, io);
  registerStatusCommand(program, io);
  registerReloadCommand(program, io);
  registerBacklogCommand(program, io);
  registerSurveyCommand(program, io);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  // Help texts are built with the program: the language must be known before.
  const lang = langOf(argv);
  if (lang) setLang(lang);
  setConfigLanguage(currentLang());
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    // Every non-zero exit says why in one line, the last one on stderr.
    if (err instanceof ExitError) {
      io.err(`edge-gateway: ${err.message}`);
      return err.code;
    }
    io.err(`edge-gateway: ${(err as Error).message}`);
    if (process.env.LOG_LEVEL === 'debug') io.err((err as Error).stack ?? '');
    return EXIT.software;
  }
}

/** The --lang of a command line, wherever it stands (`--lang vi` or `--lang=vi`). */
export function langOf(argv: string[]): Lang | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const value = a === '--lang' ? argv[i + 1] : a.startsWith('--lang=') ? a.slice(7) : undefined;
    if (value && (LANGS as readonly string[]).includes(value)) return value as Lang;
  }
  return null;
}
