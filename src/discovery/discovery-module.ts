// The discovery module: owns every discovery the daemon runs (at start when discovery.enabled, on
// its schedule, and on the remote `rediscover` command), one at a time, and tells the composition
// root when the inventory changed so the relay reconciles with it. An unfinished run stops at stop().
import type { Config } from '../config/schema.ts';
import { AuthHolds } from '../core/auth-holds.ts';
import type { EventBus } from '../core/events.ts';
import type { Module } from '../core/module.ts';
import type { Logger } from '../log/logger.ts';
import type { Db } from '../store/db.ts';
import { rediscover, type RediscoverySummary } from './rediscovery.ts';
import { snapshotUriOf } from './snapshot-uri.ts';

export interface DiscoveryDeps {
  cfg: Config;
  db: Db;
  events: EventBus;
  logger: Logger;
  /** Refused camera logins, shared with the relay's RTSP pulls (one account per camera). */
  holds?: AuthHolds;
  /** After every run: the inventory may have changed. */
  onDiscovered?: (summary: RediscoverySummary) => Promise<unknown>;
  /** During a run: a camera appeared or moved, so the relay need not wait for the slowest camera. */
  onCameraChanged?: (cameraId: string) => Promise<unknown>;
}

export class DiscoveryModule implements Module {
  readonly name = 'discovery';
  private abort = new AbortController();
  private running: Promise<RediscoverySummary> | null = null;
  private readonly lost = new Set<string>();
  private readonly holds: AuthHolds;

  constructor(private readonly deps: DiscoveryDeps) {
    this.holds = deps.holds ?? new AuthHolds(deps.cfg.cameraLogin.attemptsPerHour);
  }

  /** Starts the first discovery and returns at once: the relay starts with what the inventory has. */
  start(signal: AbortSignal): Promise<void> {
    this.abort = new AbortController();
    signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    if (this.deps.cfg.discovery.enabled) void this.scheduled('start');
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** A run the daemon decided on (start, schedule): skipped when discovery is disabled, never throws. */
  async scheduled(why: string): Promise<void> {
    if (!this.deps.cfg.discovery.enabled) return;
    try {
      await this.rediscover(why);
    } catch (err) {
      if (!this.abort.signal.aborted) this.deps.logger.error({ err, why }, 'discovery failed');
    }
  }

  /** A camera's snapshot URI, read on first use where discovery left it out (snapshot-uri.ts). */
  snapshotUri(cameraId: string): Promise<string | null> {
    return snapshotUriOf(this.deps.cfg, this.deps.db, cameraId, this.holds);
  }

  /** Runs a discovery now, or joins the one already running. */
  rediscover(why = 'command'): Promise<RediscoverySummary> {
    if (this.running) return this.running;
    const { cfg, db, events, logger } = this.deps;
    // A signal per run: discover() listens on it, and a run's listeners must not pile up on the
    // module's signal over months of runs.
    const runAbort = new AbortController();
    const signal = runAbort.signal;
    const cut = () => runAbort.abort();
    this.abort.signal.addEventListener('abort', cut, { once: true });
    const t0 = Date.now();
    logger.info({ why }, 'discovery started');
    const changed = (id: string) => {
      if (signal.aborted) return;
      this.deps
        .onCameraChanged?.(id)
        .catch((err: unknown) => logger.error({ err, id }, 'relay update failed'));
    };
    const run = rediscover(cfg, db, events, signal, this.lost, this.holds, changed).then(async (summary) => {
      logger.info({ why, seconds: (Date.now() - t0) / 1000, ...summary }, 'discovery done');
      if (!signal.aborted) await this.deps.onDiscovered?.(summary);
      return summary;
    });
    this.running = run.finally(() => {
      this.running = null;
      this.abort.signal.removeEventListener('abort', cut);
    });
    return this.running;
  }
}
