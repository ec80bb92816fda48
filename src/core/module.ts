// Every long-running part of the daemon: started in order, stopped in reverse, stop() always completes.
import type { Logger } from '../log/logger.ts';

export interface Module {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Starts modules in order, recording each in `started` before its start so a failure can be undone. */
export async function startAll(
  modules: Module[],
  signal: AbortSignal,
  logger: Logger,
  started: Module[],
): Promise<void> {
  for (const m of modules) {
    if (signal.aborted) break;
    started.push(m);
    await m.start(signal);
    logger.debug({ module: m.name }, 'module started');
  }
}

export async function stopAll(started: Module[], logger: Logger): Promise<void> {
  for (const m of [...started].reverse()) {
    try {
      await m.stop();
    } catch (err) {
      logger.error({ module: m.name, err }, 'module failed to stop');
    }
  }
}
