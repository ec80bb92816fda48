// "Bytes confirmed upstream": ffmpeg's own progress counts bytes handed to the kernel, and on a
// black-holed uplink the kernel keeps accepting them until the send buffer is full (megabytes,
// many seconds at a camera's bitrate) while nothing is acknowledged. These helpers read the TCP
// sockets of a process from /proc: where each one goes, and its unacknowledged send queue.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface TcpSocket {
  inode: string;
  /** "ip:port", IPv6 addresses in full lowercase form without brackets. */
  local: string;
  remote: string;
  /** /proc state code: 01 established, 02 SYN sent. */
  established: boolean;
  /** Bytes sent and not yet acknowledged. */
  sendQueue: number;
  /**
   * The retransmission timer is armed (data in flight) and has not fired since the last
   * acknowledgement (the kernel zeroes its count of retransmissions on every ack): the far end
   * acknowledged within about one RTO, however long the queue. False on a zero-window probe.
   */
  ackedWithinRto: boolean;
  /** The socket's retransmission timeout, ms. */
  rtoMs: number;
}

/** An "ip:port" whose ip is IPv6 (more than one colon). */
export function isV6Address(addr: string): boolean {
  return addr.indexOf(':') !== addr.lastIndexOf(':');
}

/** "0100007F:1F90" -> "127.0.0.1:8080"; IPv6 as 4 little-endian 32-bit words. */
export function decodeProcAddress(hex: string): string {
  const [addr = '', port = '0'] = hex.split(':');
  const p = parseInt(port, 16);
  if (addr.length === 8) {
    const b = Buffer.from(addr, 'hex').reverse();
    return `${b.join('.')}:${p}`;
  }
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = Buffer.from(addr.slice(i, i + 8), 'hex')
      .reverse()
      .toString('hex');
    words.push(w.slice(0, 4), w.slice(4));
  }
  return `${words.map((w) => w.replace(/^0{1,3}/, '')).join(':')}:${p}`;
}

/** Every TCP socket of this network namespace by inode (tcp6 only when asked: each file costs a hash walk). */
export function readTcpSockets(opts: { v6: boolean }, procNet = '/proc/net'): Map<string, TcpSocket> {
  const out = new Map<string, TcpSocket>();
  for (const file of opts.v6 ? ['tcp', 'tcp6'] : ['tcp']) {
    let text: string;
    try {
      text = readFileSync(`${procNet}/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local, f[2] remote, f[3] state, f[4] tx_queue:rx_queue in hex, f[5] timer:expiry,
      // f[6] retransmissions (hex), f[9] inode, f[12] rto in clock ticks (USER_HZ, 100 a second)
      if (f.length < 13 || f[9] === '0') continue;
      out.set(f[9]!, {
        inode: f[9]!,
        local: decodeProcAddress(f[1]!),
        remote: decodeProcAddress(f[2]!),
        established: f[3] === '01',
        sendQueue: parseInt(f[4]!.split(':')[0]!, 16),
        // Timer 1: retransmission (or loss probe); 4 would be a zero-window probe.
        ackedWithinRto: f[5]!.startsWith('01:') && parseInt(f[6]!, 16) === 0,
        rtoMs: Number(f[12]) * 10,
      });
    }
  }
  return out;
}

export function socketInodes(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m ? [m[1]!] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** The TCP sockets a process holds, from one snapshot of the table. */
export function processSockets(pid: number, table: Map<string, TcpSocket>): TcpSocket[] {
  return socketInodes(pid).flatMap((inode) => {
    const s = table.get(inode);
    return s ? [s] : [];
  });
}

/**
 * The TCP sockets of one process across looks at the table. Listing a process's sockets reads
 * every entry of /proc/PID/fd (a readlink each); a relay whose connections are all up has the
 * same ones look after look, so the list is read again only when the process changed, a socket
 * found at the last look has left the table, none was found, or the caller asks (something is
 * connecting or being judged).
 */
export class ProcessSocketCache {
  private pid: number | null = null;
  /** Every socket of the process, TCP or not: an IPv6 one shows once the table includes tcp6. */
  private inodes: string[] = [];
  private found = new Set<string>();

  sockets(pid: number, table: Map<string, TcpSocket>, relist: boolean): TcpSocket[] {
    const gone = [...this.found].some((i) => !table.has(i));
    if (relist || gone || this.found.size === 0 || pid !== this.pid) {
      this.pid = pid;
      this.inodes = socketInodes(pid);
    }
    const out = this.inodes.flatMap((i) => table.get(i) ?? []);
    this.found = new Set(out.map((s) => s.inode));
    return out;
  }
}

let cached: { at: number; v6: boolean; table: Map<string, TcpSocket> } | null = null;

/** One snapshot shared by every watch in the same tick. */
export function sharedTcpSockets(now = Date.now(), v6 = false): Map<string, TcpSocket> {
  if (!cached || now - cached.at > 250 || (v6 && !cached.v6))
    cached = { at: now, v6, table: readTcpSockets({ v6 }) };
  return cached.table;
}

/**
 * When the far end last acknowledged something, per socket. Evidence of an acknowledgement: an
 * empty send queue, a queue smaller than at the last look, or a retransmission timer that has
 * not fired since the last ack. The last alone tells a link slower than the stream (its queue
 * grows, acks go on) from a dead one (the timer fires within an RTO). Looks may be far apart
 * (the relay looks seldom while every connection shows evidence), so the last acknowledgement lies
 * between the last look with evidence (`lastAckAt`) and the first look without.
 */
export class AckTracker {
  private seen = new Map<
    string,
    { queue: number; at: number; ackAt: number; quietAt: number | null; proven: number }
  >();

  /**
   * Milliseconds this socket is judged to have gone unacknowledged (0 when nothing waits). After a
   * long gap between looks it is counted from the first look without evidence less `slackMs` (the
   * usual spacing of looks), never from further back: a sparse look must not make a stall look longer.
   * `kbps`, the rate written to the socket when known, dates what still waits in its queue.
   */
  observe(s: TcpSocket, now: number, slackMs = Infinity, kbps: number | null = null): number {
    const prev = this.seen.get(s.inode);
    const shrank = !prev || s.sendQueue === 0 || s.sendQueue < prev.queue;
    const acked = shrank || s.ackedWithinRto;
    const ackAt = shrank ? now : s.ackedWithinRto ? Math.max(prev.ackAt, now - s.rtoMs) : prev.ackAt;
    const quietAt = acked ? null : (prev.quietAt ?? now);
    // A shrinking queue proves an acknowledgement since the last look, not of what was written
    // just before this one: what is proven delivered goes no further than the last look, nor than
    // the queue's worth of stream before now (bytes * 8 / kbit/s = ms).
    const queuedMs = kbps ? (s.sendQueue * 8) / kbps : 0;
    const proven = s.sendQueue === 0 ? now : acked ? Math.min(prev?.at ?? now, now - queuedMs) : prev.proven;
    this.seen.set(s.inode, { queue: s.sendQueue, at: now, ackAt, quietAt, proven });
    if (s.sendQueue === 0) return 0;
    return now - Math.max(ackAt, quietAt === null ? ackAt : quietAt - slackMs);
  }

  lastAckAt(inode: string): number | null {
    return this.seen.get(inode)?.ackAt ?? null;
  }

  /** Until when everything written to the socket is known to have been acknowledged. */
  deliveredUntil(inode: string): number | null {
    return this.seen.get(inode)?.proven ?? null;
  }

  /** Whether some socket showed no evidence of an acknowledgement at its last look. */
  waiting(): boolean {
    for (const v of this.seen.values()) if (v.quietAt !== null) return true;
    return false;
  }

  /** Forget sockets that are gone. */
  keepOnly(inodes: Set<string>): void {
    for (const k of this.seen.keys()) if (!inodes.has(k)) this.seen.delete(k);
  }
}

/** For a process with one upstream (a transcoding destination): how long since anything was acknowledged. */
export class AckWatch {
  private pid: number | null = null;
  private tracker = new AckTracker();
  private readonly listing = new ProcessSocketCache();

  unackedForMs(pid: number | null, now = Date.now(), table?: Map<string, TcpSocket>): number {
    if (pid === null) return 0;
    if (pid !== this.pid) {
      this.pid = pid;
      this.tracker = new AckTracker();
    }
    const sockets = this.listing.sockets(pid, table ?? sharedTcpSockets(now), false);
    this.tracker.keepOnly(new Set(sockets.map((s) => s.inode)));
    return Math.max(0, ...sockets.map((s) => this.tracker.observe(s, now)));
  }
}
