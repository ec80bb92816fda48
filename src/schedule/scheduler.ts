// The daemon's schedules: the only importer of node-cron. A job that is still running when it
// is due again is skipped (noOverlap); a job that fails is logged, never fatal.
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Module } from '../core/module.ts';
import type { Logger } from '../log/logger.ts';

export interface Job {
  name: string;
  /** A cron expression, or "off". */
  cron: string;
  run: () => Promise<void>;
}

export class Scheduler implements Module {
  readonly name = 'schedules';
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly timezone: string,
    private readonly logger: Logger,
    private readonly jobs: Job[],
  ) {}

  start(): Promise<void> {
    for (const job of this.jobs) {
      if (job.cron === 'off') continue;
      if (!validate(job.cron)) {
        this.logger.error({ job: job.name, cron: job.cron }, 'invalid schedule: job not scheduled');
        continue;
      }
      const task = schedule(
        job.cron,
        async () => {
          this.logger.info({ job: job.name }, 'scheduled job started');
          try {
            await job.run();
          } catch (err) {
            this.logger.error({ job: job.name, err }, 'scheduled job failed');
          }
        },
        { timezone: this.timezone, name: `edge-gateway-${job.name}`, noOverlap: true },
      );
      this.tasks.push(task);
    }
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    await Promise.all(tasks.map((t) => Promise.resolve(t.destroy())));
  }
}
