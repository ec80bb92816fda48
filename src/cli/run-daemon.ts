// `edge-gateway run`, the daemon in the foreground as systemd runs it: loaded only when `run` is
// asked for, so the other commands do not pay for the whole daemon at start-up (about 0.5 s here).
// SIGTERM or SIGINT stops everything within 10 s; a second signal ends at once (children are killed
// first).
import { t } from '../i18n/index.ts';
import { Gateway } from '../app/gateway.ts';
import { AlreadyRunningError } from '../app/status-server.ts';
import { SystemdService } from '../app/systemd-service.ts';
import { FfmpegMissingError } from '../relay/ffmpeg-version.ts';
import { createLogger } from '../log/logger.ts';
import { killOrphans } from '../relay/orphans.ts';
import { configPath, DEFAULT_CONFIG, optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import type { Io } from './output.ts';

const STOP_DEADLINE_MS = 10_000;

/** A missing program is permanent until someone installs it; another gateway may go away. */
export function startFailureCode(err: unknown): number {
  if (err instanceof FfmpegMissingError) return EXIT.unavailable;
  if (err instanceof AlreadyRunningError) return EXIT.tempFail;
  return EXIT.software;
}

export async function runDaemon(flags: { config?: string }, io: Io): Promise<void> {
  const cfg = optionalConfig(io, flags.config);
  if (!cfg) throw new ExitError(t('err.noConfigRun', { file: DEFAULT_CONFIG }), EXIT.config);
  const logger = createLogger({ level: cfg.log.level });
  let gateway: Gateway;
  try {
    gateway = Gateway.open(cfg, logger, configPath(flags.config) ?? null);
  } catch (err) {
    logger.error({ err }, 'start failed');
    throw new ExitError((err as Error).message, startFailureCode(err));
  }
  const service = new SystemdService(gateway, logger.child({ module: 'systemd' }));
  const abort = new AbortController();
  let stopping = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // The technician insists: no ffmpeg may outlive us, then go.
      logger.warn({ signal }, 'second signal: exiting now');
      killOrphans(gateway.ownerKey());
      io.err(`edge-gateway: ${t('err.secondSignal')}`);
      process.exit(EXIT.software);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    void service.stopping();
    abort.abort();
    const deadline = setTimeout(() => {
      logger.error('stop took longer than 10 s: exiting');
      killOrphans(gateway.ownerKey());
      io.err(`edge-gateway: ${t('err.stopSlow')}`);
      process.exit(EXIT.software);
    }, STOP_DEADLINE_MS);
    void gateway.stop().finally(() => {
      clearTimeout(deadline);
      resolveDone();
    });
  };
  // A bug in one module must be loud in the journal, not a silent exit of a 24/7 service.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // SIGHUP re-reads the configuration (Node's default would end the daemon).
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading the configuration');
    void gateway.reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
  });

  try {
    await gateway.start(abort.signal);
    logger.info({ site: cfg.site.id }, 'gateway running');
    if (!abort.signal.aborted) await service.ready();
  } catch (err) {
    logger.error({ err }, 'start failed');
    await gateway.stop();
    throw new ExitError((err as Error).message, startFailureCode(err));
  }
  await done;
  logger.info('stopped');
}
