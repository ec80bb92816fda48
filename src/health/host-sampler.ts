// Samples the host in the background: the only importer of systeminformation. Heartbeats read
// the last sample and never wait for a new one, however slow the disk or the kernel is.
import { loadavg } from 'node:os';
// Its memory part alone: the whole package loads about a megabyte of source the daemon never
// runs, and its source stays in the daemon's heap (bench/relay measures the daemon's RSS).
import { mem as readMemory } from 'systeminformation/lib/memory.js';
import type { Logger } from '../log/logger.ts';
import {
  cpuBusyPercent,
  type CpuTimes,
  readClockSynced,
  readCpuTimes,
  readCpuTemperature,
  readDiskUsage,
  readPiThrottle,
  type PiThrottle,
} from './host-files.ts';

export interface HostSample {
  at: string;
  cpuPercent: number | null;
  load: [number, number, number];
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  disk: { used: number; free: number } | null;
  cpuTempC: number | null;
  pi: PiThrottle | null;
  clockSynced: boolean | null;
}

export type SampleFn = () => Promise<HostSample>;

export function hostSampleFn(spoolDir: string): SampleFn {
  // CPU use between two samples from /proc/stat: systeminformation's currentLoad runs
  // `cat /proc/stat | grep cpu` through a synchronous shell at every call, blocking the event loop.
  // The first sample gives the average since boot, the later ones the use since the last sample.
  let cpuBefore: CpuTimes | null = null;
  return async () => {
    const mem = await readMemory();
    const cpuNow = readCpuTimes();
    const cpuPercent = cpuBusyPercent(cpuBefore, cpuNow);
    cpuBefore = cpuNow ?? cpuBefore;
    const [l1, l5, l15] = loadavg();
    return {
      at: new Date().toISOString(),
      cpuPercent,
      load: [round2(l1), round2(l5), round2(l15)],
      // "active" leaves out caches the kernel gives back on demand.
      memUsedBytes: mem.active,
      memTotalBytes: mem.total,
      disk: readDiskUsage(spoolDir),
      cpuTempC: readCpuTemperature(),
      pi: readPiThrottle(),
      clockSynced: readClockSynced(),
    };
  };
}

const round2 = (n: number | undefined) => Math.round((n ?? 0) * 100) / 100;

export class HostSampler {
  private last_: HostSample | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  samples = 0;

  constructor(
    private readonly sample: SampleFn,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** The most recent sample, or null before the first one finishes. Never blocks. */
  last(): HostSample | null {
    return this.last_;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A sample still running when the next is due is left to finish; the next one is skipped. */
  private tick(): void {
    if (this.running) return;
    this.running = true;
    this.sample()
      .then((s) => {
        this.last_ = s;
        this.samples++;
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'host sample failed'))
      .finally(() => (this.running = false));
  }
}
