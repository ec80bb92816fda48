// Process shell: run the CLI and turn its result into an exit code.
import { runCli } from './cli/program.ts';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
