// "Bytes confirmed upstream": ffmpeg's own progress counts bytes handed to the kernel, and on a
// black-holed uplink the kernel keeps accepting them for minutes (the send buffer grows while
// nothing is acknowledged). This watch reads the destination socket's unacknowledged send queue
// from /proc and reports how long it has been since the far end last acknowledged anything.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

let cached: { at: number; queues: Map<string, number> } | null = null;

/** One snapshot shared by every destination's watch in the same tick (the file lists all sockets). */
export function sharedSendQueues(now = Date.now()): Map<string, number> {
  if (!cached || now - cached.at > 250) cached = { at: now, queues: sendQueues() };
  return cached.queues;
}

/** Unacknowledged bytes per socket inode, from /proc/net/tcp and tcp6. */
export function sendQueues(procNet = '/proc/net'): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${procNet}/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[3] state 01 = ESTABLISHED; f[4] tx_queue:rx_queue in hex; f[9] inode
      if (f.length < 10 || f[3] !== '01') continue;
      out.set(f[9]!, parseInt(f[4]!.split(':')[0]!, 16));
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

export class AckWatch {
  private pid: number | null = null;
  private lastQueue = 0;
  private lastAckAt = 0;

  /**
   * Milliseconds since the process's TCP peers last acknowledged data, or 0 when nothing waits.
   * Evidence of an acknowledgement: an empty send queue, or a queue smaller than at the last look.
   */
  unackedForMs(pid: number | null, now = Date.now(), queues?: Map<string, number>): number {
    if (pid === null) return 0;
    if (pid !== this.pid) {
      this.pid = pid;
      this.lastQueue = 0;
      this.lastAckAt = now;
    }
    const q = queues ?? sharedSendQueues(now);
    const queue = socketInodes(pid).reduce((n, inode) => n + (q.get(inode) ?? 0), 0);
    if (queue === 0 || queue < this.lastQueue) this.lastAckAt = now;
    this.lastQueue = queue;
    return queue === 0 ? 0 : now - this.lastAckAt;
  }
}
