// What the far end of each connection proves it took, look after look at the TCP table
// (tcp-table.ts). Two questions, two kinds of evidence (src/relay/README.md draws them):
// - Does its kernel acknowledge? The kernel's time since the last ACK (`lastack`). A black-holed
//   link answers nothing, so that time grows while data waits.
// - Does its application read? A frozen, stopped or swapping server keeps ACKing into its
//   receive buffer, then, once that is full, shuts its window and answers zero-window probes:
//   its kernel looks alive for ever. A window shut while data waits is the one sure sign; how
//   soon it comes depends on the server's buffer and the bitrate (bench/backfill). Before it, a
//   stopped reader's window drifts down no faster than a reader's can (measured: both lose about
//   1 KiB a second at 75 kbit/s), so a shrinking window proves nothing and is not judged.
// What is proven delivered is dated from the last look at which the window was at its highest
// of the last minute (at least six stalls) while new bytes were acknowledged: a stopped reader's
// window never gets back there, and a reader whose window settles lower is dated afresh within
// that horizon.
import type { TcpSocket } from './tcp-table.ts';

export interface Evidence {
  /** First sight of this socket: no verdict until the next look. */
  first: boolean;
  /** How long the far end acknowledged nothing while data waited (0 when nothing waits). */
  unackedMs: number;
  /** How long its window has been shut while data waited (0 when open). */
  unreadMs: number;
  /** New bytes acknowledged into an open window since the last look. */
  read: boolean;
}

interface Seen {
  at: number;
  queue: number;
  acked: number;
  /** The windows advertised at the looks of the horizon. */
  recent: { at: number; wnd: number }[];
  /** It advertised a window once (a kernel without snd_wnd in TCP_INFO never does). */
  windowed: boolean;
  /** The first look of the current run of looks with the window shut and data waiting. */
  shutSince: number | null;
  /** Stream time up to which the peer's application read everything, as far as the looks prove. */
  proven: number;
  /** The window the peer advertised at its highest, bytes. */
  window: number;
  /** Acknowledged bytes per ms, smoothed; null until two looks measured it. */
  rate: number | null;
  /** The last look gave no evidence of acknowledgement or of reading. */
  quiet: boolean;
}

export class DeliveryEvidence {
  private seen = new Map<string, Seen>();

  /** `stallMs` is relay.stallSeconds: how long without evidence counts as stuck. */
  constructor(readonly stallMs: number) {}

  /**
   * Takes one look at a socket (each table snapshot once). `kbps`, the camera's bitrate when
   * known, turns queued bytes into seconds of stream; else the socket's own acknowledged rate.
   */
  observe(s: TcpSocket, now: number, kbps: number | null = null): Evidence {
    const prev = this.seen.get(s.inode);
    if (!prev) {
      this.seen.set(s.inode, {
        at: now,
        queue: s.sendQueue,
        acked: s.bytesAcked,
        recent: [{ at: now, wnd: s.sndWnd }],
        windowed: s.sndWnd > 0,
        shutSince: null,
        proven: now - this.ms(s.sendQueue, null, kbps),
        window: s.sndWnd,
        rate: null,
        quiet: true,
      });
      return { first: true, unackedMs: 0, unreadMs: 0, read: false };
    }
    const dt = now - prev.at;
    const newlyAcked = s.bytesAcked - prev.acked;
    // The peer's application has answered (every protocol's server speaks first or in turn), and
    // new bytes went into an open window.
    const read = newlyAcked > 0 && s.bytesReceived > 0 && (s.sndWnd > 0 || !prev.windowed);
    let rate = prev.rate;
    if (read && dt > 0) rate = rate === null ? newlyAcked / dt : 0.7 * rate + 0.3 * (newlyAcked / dt);
    // Data waiting at two looks in a row: a connection idle until a moment ago is not a stall.
    const unackedMs = s.sendQueue > 0 && prev.queue > 0 ? s.lastAckMs : 0;
    const shut = prev.windowed && s.sndWnd === 0 && s.sendQueue > 0;
    const shutSince = shut ? (prev.shutSince ?? now) : null;
    const horizon = Math.max(60_000, 6 * this.stallMs);
    const recent = [...prev.recent.filter((r) => r.at > now - horizon), { at: now, wnd: s.sndWnd }];
    const highest = Math.max(...recent.map((r) => r.wnd));
    // At its highest with new bytes acknowledged: it read after the previous look, perhaps only
    // just, so what was written before that look, less what still waited, is proven read.
    const full = read && s.sndWnd >= highest;
    const proven = full ? Math.max(prev.proven, prev.at - this.ms(s.sendQueue, rate, kbps)) : prev.proven;
    this.seen.set(s.inode, {
      at: now,
      queue: s.sendQueue,
      acked: s.bytesAcked,
      recent,
      windowed: prev.windowed || s.sndWnd > 0,
      shutSince,
      proven,
      window: highest,
      rate,
      quiet: !read || unackedMs > dt,
    });
    return { first: false, unackedMs, unreadMs: shutSince === null ? 0 : now - shutSince, read };
  }

  /** Until when the peer's application is known to have read everything written to the socket. */
  deliveredUntil(inode: string): number | null {
    return this.seen.get(inode)?.proven ?? null;
  }

  /**
   * The highest window the peer advertised, in ms of stream: how much it may have taken into its
   * buffer without ever reading it. Null until a rate is known.
   */
  windowMs(inode: string, kbps: number | null = null): number | null {
    const v = this.seen.get(inode);
    if (!v) return null;
    const ms = this.ms(v.window, v.rate, kbps);
    return Number.isFinite(ms) && (kbps || v.rate) ? ms : null;
  }

  /** Whether some socket gave no evidence (of acknowledgement and of reading) at its last look. */
  waiting(): boolean {
    for (const v of this.seen.values()) if (v.quiet) return true;
    return false;
  }

  /** Forget sockets that are gone. */
  keepOnly(inodes: Set<string>): void {
    for (const k of this.seen.keys()) if (!inodes.has(k)) this.seen.delete(k);
  }

  /** Bytes -> ms of stream: kbit/s is bits per ms, so bytes * 8 / kbps. */
  private ms(bytes: number, rate: number | null, kbps: number | null): number {
    if (bytes === 0) return 0;
    if (kbps) return (bytes * 8) / kbps;
    return rate ? bytes / rate : 0;
  }
}

/** The verdict on a set of connections that carry one destination. */
export interface Judgement {
  /** Every connection is stuck: the reason, and the connections to reset. */
  stuck: { reason: string; sockets: TcpSocket[] } | null;
  /** Some connection was read since the last look, and acknowledged: the destination takes what it is sent. */
  delivering: boolean;
  deliveredUntil: number | null;
  windowMs: number | null;
}

/** Judges the connections of one destination at one look. */
export function judge(
  evidence: DeliveryEvidence,
  sockets: TcpSocket[],
  now: number,
  kbps: number | null,
): Judgement {
  const { stallMs } = evidence;
  evidence.keepOnly(new Set(sockets.map((s) => s.inode)));
  const looks = sockets.map((s) => ({ s, e: evidence.observe(s, now, kbps) }));
  let deliveredUntil: number | null = null;
  let windowMs: number | null = null;
  for (const { s } of looks) {
    const d = evidence.deliveredUntil(s.inode);
    if (d !== null && (deliveredUntil === null || d > deliveredUntil)) {
      deliveredUntil = d;
      windowMs = evidence.windowMs(s.inode, kbps);
    }
  }
  const judged = looks.filter((l) => !l.e.first);
  const bad = judged.filter((l) => l.e.unackedMs > stallMs || l.e.unreadMs > stallMs);
  const delivering = judged.some((l) => l.e.read && l.e.unackedMs <= stallMs);
  if (judged.length === 0 || judged.length < looks.length || bad.length < judged.length)
    return { stuck: null, delivering, deliveredUntil, windowMs };
  // A shut window is a server that stopped reading (its probes go unanswered longer and longer
  // as they back off, so its last ACK ages too); an open one that nothing acknowledges, a dead link.
  const shut = bad.filter((l) => l.e.unreadMs > stallMs);
  const reason =
    shut.length > 0
      ? `the destination acknowledges but reads nothing: its window has been shut for ${Math.round(Math.max(...shut.map((l) => l.e.unreadMs)) / 1000)} s`
      : `nothing acknowledged by the destination for ${Math.round(Math.max(...bad.map((l) => l.e.unackedMs)) / 1000)} s`;
  return { stuck: { reason, sockets: bad.map((l) => l.s) }, delivering: false, deliveredUntil, windowMs };
}
