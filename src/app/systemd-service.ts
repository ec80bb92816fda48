// The daemon under systemd (Type=notify): READY=1 once every module has started (the telemetry
// module never waits on the broker, so a broker that is down does not hold READY back), a
// one-line STATUS=, WATCHDOG=1 while the gateway is healthy, STOPPING=1 on shutdown.
import { t } from '../i18n/index.ts';
import type { Logger } from '../log/logger.ts';
import { systemdNotifier, type Notifier } from '../service/notify.ts';
import { Watchdog, watchdogInterval, type Health } from '../service/watchdog.ts';
import type { GatewayStatus } from '../core/status.ts';

export interface ServiceSource {
  health(): Health;
  status(): GatewayStatus;
}

/** "cameras live 3/4, destinations live 5/8, backlog 12 min": what systemctl status shows. */
export function statusLine(s: GatewayStatus): string {
  const cameras = new Map<string, boolean>();
  for (const st of s.streams)
    cameras.set(st.cameraId, (cameras.get(st.cameraId) ?? true) && st.state === 'live');
  const dests = s.streams.flatMap((st) => st.destinations);
  const owed = s.backfill?.pendingSeconds ?? 0;
  const backlog = owed >= 3600 ? `${(owed / 3600).toFixed(1)} h` : `${Math.round(owed / 60)} min`;
  return t('service.status', {
    live: [...cameras.values()].filter(Boolean).length,
    total: cameras.size,
    destLive: dests.filter((d) => d.state === 'live').length,
    destTotal: dests.length,
    backlog,
  });
}

export class SystemdService {
  private watchdog: Watchdog | null = null;
  private readonly notifier: Notifier;

  constructor(
    private readonly source: ServiceSource,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.notifier = systemdNotifier(env, undefined, (err) =>
      logger.warn({ err: err.message }, 'systemd-notify failed'),
    );
  }

  get active(): boolean {
    return this.notifier.active;
  }

  async ready(): Promise<void> {
    if (!this.notifier.active) return;
    const intervalMs = watchdogInterval(this.env);
    await this.notifier.send({ READY: '1', STATUS: statusLine(this.source.status()) });
    this.logger.info({ watchdogMs: intervalMs }, 'told systemd we are ready');
    if (intervalMs === null) return;
    this.watchdog = new Watchdog({
      notifier: this.notifier,
      intervalMs,
      health: () => this.source.health(),
      summary: () => statusLine(this.source.status()),
      // Logged each time: the journal should show why systemd is about to restart us.
      onUnhealthy: (reasons) => this.logger.warn({ reasons }, 'unhealthy: watchdog ping withheld'),
      onRecovered: () => this.logger.info('healthy again: watchdog pings resume'),
    });
    this.watchdog.start();
  }

  async stopping(): Promise<void> {
    this.watchdog?.stop();
    this.watchdog = null;
    await this.notifier.send({ STOPPING: '1', STATUS: t('service.stopping') });
  }
}
