// The pino root logger. Scrubbing happens at the sink: every serialised line passes through
// scrubText before it is written, so a secret cannot leak through a field we did not foresee.
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { scrubText } from './secrets.ts';

export type { Logger };

/** A destination that scrubs each line before handing it on. */
export function scrubbingStream(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      target.write(scrubText(chunk.toString()));
      done();
    },
  });
}

export function createLogger(
  opts: { level?: LevelWithSilent; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = opts.level ?? ((process.env.LOG_LEVEL as LevelWithSilent | undefined) || 'info');
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // An error logs its message at the level asked; the stack only matters when debugging.
      serializers: {
        err: (err: Error) => ({
          type: err.name,
          message: err.message,
          ...(level === 'debug' || level === 'trace' ? { stack: err.stack } : {}),
        }),
      },
    },
    scrubbingStream(opts.destination ?? process.stdout),
  );
}

/** A silent logger for code paths (CLI one-shots, tests) that do not want log lines. */
export const silentLogger: Logger = pino({ level: 'silent' });
