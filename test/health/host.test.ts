// Host sampling: the kernel files are read fail-soft, and a slow sample never holds up a reader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cpuBusyPercent,
  decodeThrottled,
  readClockSynced,
  readCpuTimes,
  readCpuTemperature,
  readDiskUsage,
  readPiThrottle,
} from '../../src/health/host-files.ts';
import { HostSampler, hostSampleFn, type HostSample } from '../../src/health/host-sampler.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { waitFor } from '../support/wait.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('host files', () => {
  it('decodes the Raspberry Pi throttling word', () => {
    expect(decodeThrottled(0x50005)).toEqual({
      raw: '0x50005',
      now: ['under-voltage', 'throttled'],
      since: ['under-voltage', 'throttled'],
    });
    expect(decodeThrottled(0)).toEqual({ raw: '0x0', now: [], since: [] });
    writeFileSync(join(dir, 'get_throttled'), '80008\n');
    expect(readPiThrottle(join(dir, 'get_throttled'))).toEqual({
      raw: '0x80008',
      now: ['soft-temp-limit'],
      since: ['soft-temp-limit'],
    });
    expect(readPiThrottle(join(dir, 'absent'))).toBeNull();
  });

  it('reads clock synchronisation from systemd-timesyncd, null when it is not there', () => {
    expect(readClockSynced(join(dir, 'none'))).toBeNull();
    mkdirSync(join(dir, 'timesync'));
    expect(readClockSynced(join(dir, 'timesync'))).toBe(false);
    writeFileSync(join(dir, 'timesync', 'synchronized'), '');
    expect(readClockSynced(join(dir, 'timesync'))).toBe(true);
  });

  it('reads the temperature of the first thermal zone that has one', () => {
    mkdirSync(join(dir, 'thermal_zone0'));
    writeFileSync(join(dir, 'thermal_zone0', 'temp'), '48312\n');
    expect(readCpuTemperature(dir)).toBe(48.3);
    expect(readCpuTemperature(join(dir, 'absent'))).toBeNull();
  });

  it('measures the disk of a spool directory that does not exist yet', () => {
    const d = readDiskUsage(join(dir, 'not', 'yet', 'there'));
    expect(d?.free).toBeGreaterThan(0);
  });

  it('samples this host, CPU use included from the first sample', async () => {
    const s = await hostSampleFn(dir)();
    expect(s.memTotalBytes).toBeGreaterThan(0);
    expect(s.load).toHaveLength(3);
    expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(s.cpuPercent).toBeLessThanOrEqual(100);
  });

  it('gives the CPU use between two readings of /proc/stat, leaving out idle and I/O wait', () => {
    const file = join(dir, 'stat');
    // user nice system idle iowait irq softirq steal guest guest_nice
    writeFileSync(file, 'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\n');
    const a = readCpuTimes(file);
    expect(a).toEqual({ busy: 150, total: 1000 });
    writeFileSync(file, 'cpu  400 0 150 1200 250 0 0 0 0 0\n');
    const b = readCpuTimes(file);
    // 400 busy ticks out of 1000 since the first reading
    expect(cpuBusyPercent(a, b)).toBe(40);
    expect(cpuBusyPercent(null, a)).toBe(15);
    // No tick between two readings: the average since boot rather than nothing.
    expect(cpuBusyPercent(a, a)).toBe(15);
    expect(readCpuTimes(join(dir, 'missing'))).toBeNull();
  });
});

describe('HostSampler', () => {
  it('serves the last sample while a slow one is running, and never runs two at once', async () => {
    let release!: () => void;
    let calls = 0;
    const sample = (): Promise<HostSample> => {
      calls++;
      const s = { at: String(calls) } as HostSample;
      // The first sample is quick; the second hangs until released (a stuck disk).
      return calls === 1 ? Promise.resolve(s) : new Promise((r) => (release = () => r(s)));
    };
    const sampler = new HostSampler(sample, 20, silentLogger);
    sampler.start();
    try {
      await waitFor(() => calls >= 2, 'a second, hanging sample');
      const ticks = calls;
      await waitFor(() => sampler.samples === 1 && sampler.last()?.at === '1', 'the first sample served');
      expect(calls).toBe(ticks);
      release();
      await waitFor(() => sampler.last()?.at === '2', 'the slow sample landing');
    } finally {
      sampler.stop();
    }
  });
});
