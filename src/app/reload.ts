// Live reconfiguration (SIGHUP, `edge-gateway reload`): the file and its secrets are read again; an
// invalid one is refused with every problem logged as `config check` prints it, and the running
// configuration stays. A valid one is applied by difference: the live sections replace the running
// ones in place (every module reads them from the one configuration object) and the relay
// reconciles, restarting only the streams whose plan, credentials or settings changed.
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { configDiff, LIVE_SECTIONS, type ConfigDiff } from '../core/config-diff.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RelayChanges } from '../relay/relay-manager.ts';

export type ReloadResult =
  ({ ok: true; relay: RelayChanges } & ConfigDiff) | { ok: false; file: string | null; problems: string[] };

export interface ReloadDeps {
  cfg: Config;
  file: string | null;
  logger: Logger;
  events: EventBus;
  reconcile: (reason: string) => Promise<RelayChanges>;
}

export async function reloadConfig(d: ReloadDeps): Promise<ReloadResult> {
  if (!d.file)
    return { ok: false, file: null, problems: ['the daemon was started without a configuration file'] };
  let next: Config;
  try {
    next = loadConfig(d.file);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    for (const problem of problems) d.logger.error({ file: d.file, problem }, 'configuration problem');
    d.logger.error(
      { file: d.file, problems: problems.length },
      'new configuration refused: the running one stays',
    );
    return { ok: false, file: d.file, problems };
  }
  const diff = configDiff(d.cfg, next);
  const target = d.cfg as unknown as Record<string, unknown>;
  for (const section of LIVE_SECTIONS) target[section] = next[section];
  const relay = await d.reconcile('reload');
  d.logger.info({ ...diff, relay }, 'configuration reloaded');
  d.events.emit('config.reloaded', { at: new Date().toISOString(), ...diff });
  return { ok: true, ...diff, relay };
}
