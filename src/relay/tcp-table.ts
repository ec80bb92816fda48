// The kernel's view of every established TCP connection of this network namespace, from one
// `ss -tinHe state established` (iproute2 reading TCP_INFO over netlink, IPv4 and IPv6 in one
// call): where each goes, what waits in its send queue, when the far end last acknowledged, how
// many bytes it acknowledged, and the receive window it advertises. The window is what tells a
// peer whose application stopped reading from one that reads: src/relay/README.md.
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import type { SsShell } from './ss-shell.ts';

export interface TcpSocket {
  inode: string;
  /** "ip:port", IPv6 as eight groups without leading zeros and without brackets. */
  local: string;
  remote: string;
  /** Bytes written and not yet acknowledged (in flight plus not sent yet). */
  sendQueue: number;
  /** Milliseconds since the far end's last ACK of any kind (zero-window probe answers included). */
  lastAckMs: number;
  /** Bytes the far end acknowledged since the connection opened. */
  bytesAcked: number;
  /** Bytes received from the far end since the connection opened. */
  bytesReceived: number;
  /**
   * The receive window the far end advertises, bytes (TCP_INFO's snd_wnd, Linux 5.4+; ss omits
   * it when it is 0). `bytesAcked + sndWnd` is the right edge of the window: it moves only when
   * the peer's application reads.
   */
  sndWnd: number;
}

/** An "ip:port" whose ip is IPv6 (more than one colon). */
export function isV6Address(addr: string): boolean {
  return addr.indexOf(':') !== addr.lastIndexOf(':');
}

/** One spelling per address: IPv4 dotted, IPv6 as eight groups without leading zeros. */
export function canonicalIp(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return bare;
  let text = bare.toLowerCase();
  // An embedded IPv4 (::ffff:127.0.0.1) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/** "127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80" -> canonical "ip:port". */
function canonicalEndpoint(text: string): string {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[|\]$/g, '');
  return `${canonicalIp(host)}:${text.slice(i + 1)}`;
}

/** The counters read from each connection's TCP_INFO line, compiled once: a look parses every connection of the box. */
const COUNTER = {
  lastAckMs: /\blastack:(\d+)/,
  bytesAcked: /\bbytes_acked:(\d+)/,
  bytesReceived: /\bbytes_received:(\d+)/,
  sndWnd: /\bsnd_wnd:(\d+)/,
};

const num = (line: string, re: RegExp): number => {
  const m = re.exec(line);
  return m ? Number(m[1]) : 0;
};

/** `ss -tinHe state established` output -> sockets by inode. */
export function parseTcpTable(text: string): Map<string, TcpSocket> {
  const out = new Map<string, TcpSocket>();
  let head: { inode: string; local: string; remote: string; sendQueue: number } | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      // Recv-Q Send-Q Local Peer, then extended fields (no state column: one state was asked for).
      const f = line.trim().split(/\s+/);
      const at = /^\d+$/.test(f[0] ?? '') ? 0 : 1;
      const inode = /\bino:(\d+)/.exec(line)?.[1];
      head =
        inode && inode !== '0' && f.length >= at + 4
          ? {
              inode,
              sendQueue: Number(f[at + 1]),
              local: canonicalEndpoint(f[at + 2]!),
              remote: canonicalEndpoint(f[at + 3]!),
            }
          : null;
      continue;
    }
    if (!head) continue;
    out.set(head.inode, {
      ...head,
      lastAckMs: num(line, COUNTER.lastAckMs),
      bytesAcked: num(line, COUNTER.bytesAcked),
      bytesReceived: num(line, COUNTER.bytesReceived),
      sndWnd: num(line, COUNTER.sndWnd),
    });
    head = null;
  }
  return out;
}

function ss(args: string[]): Promise<string | null> {
  return new Promise((resolve) =>
    execFile('ss', args, { timeout: 5000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? null : stdout),
    ),
  );
}

/** ss's arguments for the table: TCP, TCP_INFO, numeric, no header, inodes, established only. */
export const TABLE_ARGS = ['-t', '-i', '-n', '-H', '-e', 'state', 'established'];

/**
 * Every established TCP connection of this namespace; null when ss failed. One call walks the
 * kernel's connection hash once (its cost follows the machine's memory, not the connections:
 * bench/relay), so the relay makes one per look for every camera, through a shell it keeps
 * (ss-shell.ts) rather than a fork of itself each time.
 */
export async function readTcpTable(shell?: SsShell): Promise<Map<string, TcpSocket> | null> {
  const text = shell ? await shell.run() : await ss(TABLE_ARGS);
  return text === null ? null : parseTcpTable(text);
}

function ssEndpoint(addr: string): string {
  const i = addr.lastIndexOf(':');
  return isV6Address(addr) ? `[${addr.slice(0, i)}]:${addr.slice(i + 1)}` : addr;
}

/**
 * Ends one connection from outside with the kernel's SOCK_DESTROY (`ss -K`: CAP_NET_ADMIN and
 * CONFIG_INET_DIAG_DESTROY, which Debian and Raspberry Pi OS kernels have), so that a writer
 * blocked on it gets an error. Resolves true when the connection is gone afterwards.
 */
export async function resetConnection(s: TcpSocket): Promise<boolean> {
  const pair = ['src', ssEndpoint(s.local), 'dst', ssEndpoint(s.remote)];
  await ss(['-K', '-t', '-n', ...pair]);
  // ss exits 0 even when the kernel refused; what counts is whether the socket is still there.
  const still = await ss(['-t', '-n', '-H', '-e', 'state', 'established', ...pair]);
  return still !== null && !still.includes(`ino:${s.inode} `);
}
