// Bitrates from the kernel's own byte counters per TCP connection (TCP_INFO, read with iproute2's
// `ss`): bytes the far end acknowledged, per destination, and bytes received from the camera.
// /proc/PID/io cannot give them (send() and recv() on a socket are not counted there), and a tee
// reports no output size. One `ss` call serves every camera, but it is a process: about 5 ms of
// CPU (3.8 ms in ss walking the kernel's table, 1.3 ms to spawn it from the daemon, measured), so
// the first two samples come BITRATE_FIRST_MS apart, then one every BITRATE_EVERY_MS.
import { execFile } from 'node:child_process';

/** Between the first two samples: a bitrate in the status soon after start. */
export const BITRATE_FIRST_MS = 10_000;
/** Afterwards: the status and the heartbeat show the rate over the last half minute. */
export const BITRATE_EVERY_MS = 30_000;

export interface SocketBytes {
  acked: number;
  received: number;
}

/** `ss -tinHe state established` output -> counters by socket inode. */
export function parseSs(text: string): Map<string, SocketBytes> {
  const out = new Map<string, SocketBytes>();
  let inode: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      inode = /\bino:(\d+)/.exec(line)?.[1] ?? null;
      continue;
    }
    if (inode === null || inode === '0') continue;
    const acked = /\bbytes_acked:(\d+)/.exec(line)?.[1];
    const received = /\bbytes_received:(\d+)/.exec(line)?.[1];
    out.set(inode, { acked: Number(acked ?? 0), received: Number(received ?? 0) });
    inode = null;
  }
  return out;
}

/** Counters of every established TCP connection of this network namespace; null when ss failed. */
export function readSocketBytes(): Promise<Map<string, SocketBytes> | null> {
  return new Promise((resolve) =>
    execFile(
      'ss',
      ['-t', '-i', '-n', '-H', '-e', 'state', 'established'],
      { timeout: 5000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => resolve(err ? null : parseSs(stdout)),
    ),
  );
}

/** Rates between the last two samples of the counters. */
export class ByteRates {
  private prev: { at: number; bytes: Map<string, SocketBytes> } | null = null;
  private last: { at: number; bytes: Map<string, SocketBytes> } | null = null;
  private triedAt = -Infinity;

  update(bytes: Map<string, SocketBytes>, at: number): void {
    this.prev = this.last;
    this.last = { at, bytes };
  }

  /**
   * Whether a new sample is due now; a yes counts as an attempt, so that an `ss` that fails is
   * not run again at every tick.
   */
  claimSample(now: number): boolean {
    if (now - this.triedAt < (this.prev ? BITRATE_EVERY_MS : BITRATE_FIRST_MS)) return false;
    this.triedAt = now;
    return true;
  }

  /**
   * kbit/s of `field` summed over these connections, counting those present in both samples;
   * null when none was (not measured yet, or every connection is new), or when the last sample
   * is too old to say anything of now (ss failing).
   */
  kbps(inodes: Iterable<string>, field: keyof SocketBytes, now: number): number | null {
    const { prev, last } = this;
    if (!prev || !last || last.at <= prev.at || now - last.at > 2 * BITRATE_EVERY_MS) return null;
    let bytes = 0;
    let seen = false;
    for (const inode of inodes) {
      const a = prev.bytes.get(inode);
      const b = last.bytes.get(inode);
      if (!a || !b) continue;
      seen = true;
      bytes += Math.max(0, b[field] - a[field]);
    }
    return seen ? Math.round((bytes * 8) / (last.at - prev.at)) : null;
  }
}
