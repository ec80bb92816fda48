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

/** The counters read from a connection's TCP_INFO line, compiled once. */
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

/** What a look at the table is asked: one connection by inode (a Map of them answers too). */
export interface SocketLookup<T = TcpSocket> {
  get(inode: string): T | undefined;
  has(inode: string): boolean;
}

/** One connection from its two lines: the address line, then its TCP_INFO line. */
function parseSocket(inode: string, head: string, info: string): TcpSocket | undefined {
  // Recv-Q Send-Q Local Peer, then extended fields (no state column: one state was asked for).
  const f = head.trim().split(/\s+/);
  const at = /^\d+$/.test(f[0] ?? '') ? 0 : 1;
  if (f.length < at + 4) return undefined;
  return {
    inode,
    sendQueue: Number(f[at + 1]),
    local: canonicalEndpoint(f[at + 2]!),
    remote: canonicalEndpoint(f[at + 3]!),
    lastAckMs: num(info, COUNTER.lastAckMs),
    bytesAcked: num(info, COUNTER.bytesAcked),
    bytesReceived: num(info, COUNTER.bytesReceived),
    sndWnd: num(info, COUNTER.sndWnd),
  };
}

const INODE = / ino:(\d+)/y;

/**
 * One look's `ss -tinHe state established` output, indexed by inode; a connection is parsed
 * only when asked for. The table holds every connection of the box and the relay asks for its
 * own few: parsing all of them at every look made most of the daemon's garbage that lived long
 * enough to reach the old generation (bench/relay/README.md).
 */
export class TcpTable implements SocketLookup {
  /** Inode -> where its address line starts in the text. */
  private readonly index = new Map<string, number>();
  private readonly parsed = new Map<string, TcpSocket | undefined>();

  constructor(private readonly text: string) {
    for (let at = 0; at < text.length;) {
      const nl = text.indexOf('\n', at);
      const end = nl < 0 ? text.length : nl;
      const c = text.charCodeAt(at);
      // An address line (not indented): its inode is one of its extended fields.
      if (end > at && c !== 32 && c !== 9) {
        const ino = text.lastIndexOf(' ino:', end);
        if (ino > at) {
          INODE.lastIndex = ino;
          const inode = INODE.exec(text)?.[1];
          if (inode && inode !== '0') this.index.set(inode, at);
        }
      }
      at = end + 1;
    }
  }

  has(inode: string): boolean {
    return this.get(inode) !== undefined;
  }

  get(inode: string): TcpSocket | undefined {
    if (this.parsed.has(inode)) return this.parsed.get(inode);
    const at = this.index.get(inode);
    let socket: TcpSocket | undefined;
    if (at !== undefined) {
      const headEnd = this.text.indexOf('\n', at);
      const infoEnd = headEnd < 0 ? -1 : this.text.indexOf('\n', headEnd + 1);
      const info = headEnd < 0 ? '' : this.text.slice(headEnd + 1, infoEnd < 0 ? undefined : infoEnd);
      // A connection without its TCP_INFO line (ss cut short) is not in the table.
      if (/^\s/.test(info)) socket = parseSocket(inode, this.text.slice(at, headEnd), info);
    }
    this.parsed.set(inode, socket);
    return socket;
  }

  /** Every connection, each parsed now: for tests and tools, not for the relay's looks. */
  *entries(): IterableIterator<[string, TcpSocket]> {
    for (const inode of this.index.keys()) {
      const s = this.get(inode);
      if (s) yield [inode, s];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [inode] of this.entries()) yield inode;
  }

  *values(): IterableIterator<TcpSocket> {
    for (const [, s] of this.entries()) yield s;
  }
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
export async function readTcpTable(shell?: SsShell): Promise<TcpTable | null> {
  const text = shell ? await shell.run() : await ss(TABLE_ARGS);
  return text === null ? null : new TcpTable(text);
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
