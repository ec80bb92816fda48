// Bitrates from the kernel's own byte counters per TCP connection (TCP_INFO, in the table the
// relay reads for judging: tcp-table.ts): bytes the far end acknowledged, per destination, and
// bytes received from the camera. /proc/PID/io cannot give them (send() and recv() on a socket
// are not counted there), and a tee reports no output size. The first two samples come
// BITRATE_FIRST_MS apart, then one every BITRATE_EVERY_MS: a rate over half a minute is steadier
// than one over the seconds between looks.
import type { SocketLookup, TcpSocket } from './tcp-table.ts';

/** Between the first two samples: a bitrate in the status soon after start. */
export const BITRATE_FIRST_MS = 10_000;
/** Afterwards: the status and the heartbeat show the rate over the last half minute. */
export const BITRATE_EVERY_MS = 30_000;

export type ByteCounter = 'bytesAcked' | 'bytesReceived';
/** One look at the table, kept whole: its connections are read only for the inodes asked about. */
type Counts = SocketLookup<Pick<TcpSocket, ByteCounter>>;

/** Rates between the last two samples of the counters. */
export class ByteRates {
  private prev: { at: number; table: Counts } | null = null;
  private last: { at: number; table: Counts } | null = null;
  private triedAt = -Infinity;

  update(table: Counts, at: number): void {
    this.prev = this.last;
    this.last = { at, table };
  }

  /**
   * Whether a new sample is due now; a yes counts as an attempt, so that a table read that fails
   * is not taken again at every tick.
   */
  claimSample(now: number): boolean {
    if (now - this.triedAt < (this.prev ? BITRATE_EVERY_MS : BITRATE_FIRST_MS)) return false;
    this.triedAt = now;
    return true;
  }

  /**
   * kbit/s of `field` summed over these connections, counting those present in both samples;
   * null when none was (not measured yet, or every connection is new), or when the last sample
   * is too old to say anything of now.
   */
  kbps(inodes: Iterable<string>, field: ByteCounter, now: number): number | null {
    const { prev, last } = this;
    if (!prev || !last || last.at <= prev.at || now - last.at > 2 * BITRATE_EVERY_MS) return null;
    let bytes = 0;
    let seen = false;
    for (const inode of inodes) {
      const a = prev.table.get(inode);
      const b = last.table.get(inode);
      if (!a || !b) continue;
      seen = true;
      bytes += Math.max(0, b[field] - a[field]);
    }
    return seen ? Math.round((bytes * 8) / (last.at - prev.at)) : null;
  }
}
