// systemd's watchdog: WATCHDOG=1 at half of WatchdogSec, sent only while a cheap health predicate
// passes, so a daemon that is alive but stuck is restarted. The event-loop lag is part of the
// predicate: a loop blocked for seconds at a time still fires the ping timer between the blocks.
import type { Notifier } from './notify.ts';

export interface Health {
  ok: boolean;
  reasons: string[];
}

export interface WatchdogOptions {
  notifier: Notifier;
  /** The half of WatchdogSec: how often a ping is due. */
  intervalMs: number;
  health: () => Health;
  summary: () => string;
  onUnhealthy: (reasons: string[]) => void;
  /** The first ping after one or more withheld. */
  onRecovered: () => void;
}

/** The ping period systemd asks for (WATCHDOG_USEC / 2), or null when no watchdog applies to us. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(100, Math.floor(usec / 2000));
}

export class Watchdog {
  private ping: NodeJS.Timeout | null = null;
  private sampler: NodeJS.Timeout | null = null;
  private maxLagMs = 0;
  private lastSample = 0;
  private withheld = false;
  readonly lagBoundMs: number;
  private readonly sampleMs: number;

  constructor(private readonly opts: WatchdogOptions) {
    // A loop late by half a ping period, or 5 s, is stuck for a relay judging streams every 2 s.
    this.lagBoundMs = Math.min(5000, opts.intervalMs / 2);
    this.sampleMs = Math.min(1000, opts.intervalMs / 4);
  }

  /** The largest lag seen since the last ping, in ms. */
  lag(): number {
    return this.maxLagMs;
  }

  health(): Health {
    const h = this.opts.health();
    const reasons = [...h.reasons];
    if (this.maxLagMs > this.lagBoundMs)
      reasons.push(`event loop lagged ${Math.round(this.maxLagMs)} ms (bound ${this.lagBoundMs} ms)`);
    return { ok: reasons.length === 0, reasons };
  }

  start(): void {
    this.lastSample = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      this.maxLagMs = Math.max(this.maxLagMs, now - this.lastSample - this.sampleMs);
      this.lastSample = now;
    }, this.sampleMs);
    this.ping = setInterval(() => this.tick(), this.opts.intervalMs);
    this.sampler.unref();
    this.ping.unref();
  }

  private tick(): void {
    const h = this.health();
    this.maxLagMs = 0;
    if (!h.ok) {
      this.withheld = true;
      return this.opts.onUnhealthy(h.reasons);
    }
    if (this.withheld) this.opts.onRecovered();
    this.withheld = false;
    void this.opts.notifier.send({ WATCHDOG: '1', STATUS: this.opts.summary() });
  }

  stop(): void {
    if (this.ping) clearInterval(this.ping);
    if (this.sampler) clearInterval(this.sampler);
    this.ping = this.sampler = null;
  }
}
