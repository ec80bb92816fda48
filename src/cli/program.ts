// The `edge-gateway` command tree. Each command lives in its own file and registers itself here.
import { Command, CommanderError, Option } from 'commander';
import { setLang, type Lang } from '../i18n/index.ts';
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
    .description("Camera edge gateway: discover, diagnose and relay a site's cameras")
    .version(version())
    .addOption(new Option('--lang <lang>', 'language of messages').choices(['en', 'vi']))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
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
