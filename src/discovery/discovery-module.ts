// The discovery module: owns every discovery the daemon runs (the schedule and the remote
// `rediscover` command both come here), one at a time, and stops an unfinished one at stop().
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Module } from '../core/module.ts';
import type { Logger } from '../log/logger.ts';
import type { Db } from '../store/db.ts';
import { rediscover, type RediscoverySummary } from './rediscovery.ts';

export interface DiscoveryDeps {
  cfg: Config;
  db: Db;
  events: EventBus;
  logger: Logger;
}

export class DiscoveryModule implements Module {
  readonly name = 'discovery';
  private abort = new AbortController();
  private running: Promise<RediscoverySummary> | null = null;

  constructor(private readonly deps: DiscoveryDeps) {}

  start(signal: AbortSignal): Promise<void> {
    this.abort = new AbortController();
    signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** Runs a discovery now, or joins the one already running. */
  rediscover(): Promise<RediscoverySummary> {
    if (this.running) return this.running;
    const { cfg, db, events, logger } = this.deps;
    const run = rediscover(cfg, db, events, this.abort.signal).then((summary) => {
      logger.info(summary, 'discovery done');
      return summary;
    });
    this.running = run.finally(() => (this.running = null));
    return this.running;
  }
}
