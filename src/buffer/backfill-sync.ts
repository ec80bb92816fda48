// Small concurrency helpers for backfill: a counting semaphore and a sleep that can be cut short.

export class Slots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/** Sleeps that end early when rung (a kick) or aborted (stop). */
export class Alarm {
  private sleepers = new Set<() => void>();

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.sleepers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  ring(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
