// Which of the table's connections belong to one ffmpeg: the socket inodes behind its file
// descriptors (/proc/PID/fd), matched against the TCP table (tcp-table.ts) by inode.
import { readdirSync, readlinkSync } from 'node:fs';
import type { SocketLookup, TcpSocket } from './tcp-table.ts';

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

/**
 * The TCP sockets of one process across looks at the table. Listing a process's sockets reads
 * every entry of /proc/PID/fd (a readlink each); a relay whose connections are all up has the
 * same ones look after look, so the list is read again only when the process changed, a socket
 * found at the last look has left the table, none was found, or the caller asks (something is
 * connecting or being judged).
 */
export class ProcessSocketCache {
  private pid: number | null = null;
  /** Every socket of the process, TCP or not. */
  private inodes: string[] = [];
  private found = new Set<string>();

  sockets(pid: number, table: SocketLookup, relist: boolean): TcpSocket[] {
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
