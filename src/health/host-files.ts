// Cheap reads of kernel and systemd files: each is one small read, fails soft to null, and
// never runs a command (vcgencmd is not used: the firmware file says the same).
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PI_THROTTLED = '/sys/devices/platform/soc/soc:firmware/get_throttled';

/** Raspberry Pi firmware flags (bit numbers from the vcgencmd get_throttled documentation). */
const FLAGS: [number, string][] = [
  [0, 'under-voltage'],
  [1, 'freq-capped'],
  [2, 'throttled'],
  [3, 'soft-temp-limit'],
];

export interface PiThrottle {
  raw: string;
  now: string[];
  since: string[];
}

export function decodeThrottled(value: number): PiThrottle {
  return {
    raw: `0x${value.toString(16)}`,
    now: FLAGS.filter(([bit]) => value & (1 << bit)).map(([, name]) => name),
    since: FLAGS.filter(([bit]) => value & (1 << (bit + 16))).map(([, name]) => name),
  };
}

/** The kernel's CPU time counters, in ticks: all of it, and the part not idle or waiting on I/O. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The first line of /proc/stat (every CPU together); null when it cannot be read. */
export function readCpuTimes(file = '/proc/stat'): CpuTimes | null {
  try {
    const line = readFileSync(file, 'latin1').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'cpu') return null;
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const t = f.slice(1, 9).map(Number);
    if (t.length < 4 || t.some((n) => !Number.isFinite(n))) return null;
    const total = t.reduce((a, b) => a + b, 0);
    return { busy: total - t[3]! - (t[4] ?? 0), total };
  } catch {
    return null;
  }
}

/**
 * Percent of all CPUs busy between two readings, one decimal; since boot without a previous
 * reading, or when no tick passed between the two (two samples in the same hundredth of a second).
 */
export function cpuBusyPercent(prev: CpuTimes | null, now: CpuTimes | null): number | null {
  if (!now) return null;
  const from = prev && now.total > prev.total ? prev : { busy: 0, total: 0 };
  const total = now.total - from.total;
  return total > 0 ? Math.round(((now.busy - from.busy) / total) * 1000) / 10 : null;
}

/** Null on anything but a Raspberry Pi kernel. */
export function readPiThrottle(file = PI_THROTTLED): PiThrottle | null {
  try {
    const v = parseInt(readFileSync(file, 'utf8').trim(), 16);
    return Number.isFinite(v) ? decodeThrottled(v) : null;
  } catch {
    return null;
  }
}

/**
 * systemd-timesyncd touches this file once the clock is synchronised; without timesyncd
 * (chrony, none) we do not know, and say null rather than guess.
 */
export function readClockSynced(dir = '/run/systemd/timesync'): boolean | null {
  if (existsSync(join(dir, 'synchronized'))) return true;
  return existsSync(dir) ? false : null;
}

/** CPU temperature in °C from the first thermal zone that reads, or null. */
export function readCpuTemperature(root = '/sys/class/thermal'): number | null {
  let zones: string[];
  try {
    zones = readdirSync(root).filter((z) => z.startsWith('thermal_zone'));
  } catch {
    return null;
  }
  for (const z of zones.sort()) {
    try {
      const milli = Number(readFileSync(join(root, z, 'temp'), 'utf8').trim());
      if (Number.isFinite(milli) && milli > 0) return Math.round(milli / 100) / 10;
    } catch {
      /* next zone */
    }
  }
  return null;
}

/** Used and free bytes of the file system holding `path` (its nearest existing parent before it is created). */
export function readDiskUsage(path: string): { used: number; free: number } | null {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return { used: (s.blocks - s.bfree) * s.bsize, free: s.bavail * s.bsize };
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}
