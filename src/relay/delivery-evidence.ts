// What the far end of each connection proves it took, look after look at the TCP table
// (tcp-table.ts). Two questions, two kinds of evidence (src/relay/README.md draws them):
// - Does its kernel acknowledge? The kernel's time since the last ACK (`lastack`). A black-holed
//   link answers nothing, so that time grows while data waits.
// - Does its application read? A frozen, stopped or swapping server keeps ACKing into its
//   receive buffer: its kernel looks alive until the buffer is full and the window shuts, which
//   at a low bitrate takes a minute (bench/backfill). Before that its window only shrinks, look
//   after look, while a reader's goes back up at its next read (measured with nginx-rtmp and
//   GStreamer's RTSP server, reading and SIGSTOPped, at 75 kbit/s and 2 Mbit/s: docs/relay.md).
//   So a window that fell at two looks and never rose, while bytes were acknowledged and the peer
//   said nothing, tells a server that stopped reading; it is judged from the last look before the
//   fall. A server that speaks on its own (GStreamer's RTSP server: RTCP reports every few
//   seconds) must also have been silent half as long again as its longest silence: one that lags
//   under load shrinks its window too, but goes on reporting (test/relay/relay.test.ts caught it).
//   nginx-rtmp sends a publisher nothing, so there the window alone tells.
// What is proven delivered is dated from the last look at which the window was at its highest
// of the last minute (at least six stalls) while new bytes were acknowledged: a stopped reader's
// window never gets back there, and a reader whose window settles lower is dated afresh within
// that horizon.
import type { TcpSocket } from './tcp-table.ts';

/**
 * A run of looks is a drain only if the window lost at least 1/DRAIN_SHARE of what went in: a
 * stopped server's kernel may go on growing its buffer for a while (nginx-rtmp at 75 kbit/s lost
 * a quarter), while a reader holding its window steady at 4 Mbit/s loses about a ten-thousandth
 * in its dips (test/fixtures/tcp-info, test/relay/delivery-evidence.test.ts).
 */
const DRAIN_SHARE = 64;

export interface Evidence {
  /** First sight of this socket: no verdict until the next look. */
  first: boolean;
  /** How long the far end acknowledged nothing while data waited (0 when nothing waits). */
  unackedMs: number;
  /**
   * How long since the last look before its window began to only shrink (shut, or fell at two
   * looks and never rose) while its kernel acknowledged: the application read nothing since.
   */
  unreadMs: number;
  /** Its window is shut while data waits. */
  shut: boolean;
  /** New bytes acknowledged into an open window since the last look. */
  read: boolean;
}

interface Seen {
  at: number;
  queue: number;
  acked: number;
  /** Bytes received from the peer (its application's words: handshakes, RTCP, acknowledgements). */
  received: number;
  /** The last look at which the peer had said something new. */
  spokeAt: number;
  /** The longest time between two looks that found the peer had spoken; null until two did. */
  cadence: number | null;
  /** The windows advertised at the looks of the horizon. */
  recent: { at: number; wnd: number }[];
  /** It advertised a window once (a kernel without snd_wnd in TCP_INFO never does). */
  windowed: boolean;
  /** The window at this look. */
  wnd: number;
  /**
   * The look before the current run of looks at which the window fell or stayed, never rose,
   * while bytes were acknowledged or waited, and how many times it fell since.
   */
  drain: { from: number; falls: number; fellBytes: number; ackedBytes: number } | null;
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
        received: s.bytesReceived,
        spokeAt: now,
        cadence: null,
        recent: [{ at: now, wnd: s.sndWnd }],
        windowed: s.sndWnd > 0,
        wnd: s.sndWnd,
        drain: null,
        proven: now - this.ms(s.sendQueue, null, kbps),
        window: s.sndWnd,
        rate: null,
        quiet: true,
      });
      return { first: true, unackedMs: 0, unreadMs: 0, shut: false, read: false };
    }
    const dt = now - prev.at;
    const newlyAcked = s.bytesAcked - prev.acked;
    // A window that fell is no sign of reading (a reader's goes back up at its next read).
    const fell = prev.windowed && s.sndWnd < prev.wnd;
    // The peer's application has answered (every protocol's server speaks first or in turn), and
    // new bytes went into an open window that did not shrink.
    const read = newlyAcked > 0 && s.bytesReceived > 0 && (s.sndWnd > 0 || !prev.windowed) && !fell;
    let rate = prev.rate;
    if (read && dt > 0) rate = rate === null ? newlyAcked / dt : 0.7 * rate + 0.3 * (newlyAcked / dt);
    // Data waiting at two looks in a row: a connection idle until a moment ago is not a stall.
    const unackedMs = s.sendQueue > 0 && prev.queue > 0 ? s.lastAckMs : 0;
    const shut = prev.windowed && s.sndWnd === 0 && s.sendQueue > 0;
    // A run of looks with the window never rising, while the stream flows into it (acknowledged)
    // or waits at it, and the peer's application silent; a rise, a word from the peer (a server
    // that lags behind under load still sends its RTCP reports), or nothing to send ends it.
    const flowing = newlyAcked > 0 || s.sendQueue > 0;
    const spoke = s.bytesReceived > prev.received;
    let drain = prev.drain;
    if (!flowing || spoke || s.sndWnd > prev.wnd || !prev.windowed) drain = null;
    else if (fell || drain)
      drain = {
        from: drain?.from ?? prev.at,
        falls: (drain?.falls ?? 0) + (fell ? 1 : 0),
        fellBytes: (drain?.fellBytes ?? 0) + prev.wnd - s.sndWnd,
        ackedBytes: (drain?.ackedBytes ?? 0) + newlyAcked,
      };
    // A server that stopped reading loses window for much of what it takes in; a reader that holds
    // its window steady while megabytes go in only dips by a kilobyte now and then (nginx-rtmp at
    // 4 Mbit/s: test/relay/delivery-evidence.test.ts).
    const draining = drain !== null && DRAIN_SHARE * drain.fellBytes >= drain.ackedBytes;
    const spokeAt = spoke ? now : prev.spokeAt;
    const cadence =
      spoke && prev.received > 0 ? Math.max(prev.cadence ?? 0, now - prev.spokeAt) : prev.cadence;
    // A peer that speaks on its own at intervals (an RTSP server's RTCP reports, every few seconds)
    // and lags under load has shrinking windows too, but goes on speaking: judged once it has
    // been silent half as long again as its longest silence.
    const silent = cadence === null || now - spokeAt > 1.5 * cadence;
    const unreadMs =
      drain !== null && (shut || (drain.falls >= 2 && draining && silent)) ? now - drain.from : 0;
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
      received: s.bytesReceived,
      spokeAt,
      cadence,
      recent,
      windowed: prev.windowed || s.sndWnd > 0,
      wnd: s.sndWnd,
      drain,
      proven,
      window: highest,
      rate,
      quiet: !read || unackedMs > dt,
    });
    return { first: false, unackedMs, unreadMs, shut, read };
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
  // A window shut or shrinking is a server that stopped reading (a shut one's probes go unanswered
  // longer and longer as they back off, so its last ACK ages too); an open one that nothing
  // acknowledges, a dead link.
  const unread = bad.filter((l) => l.e.unreadMs > stallMs);
  const secs = (ms: number[]) => Math.round(Math.max(...ms) / 1000);
  const reason =
    unread.length > 0
      ? `the destination acknowledges but reads nothing: its window has ${unread.some((l) => l.e.shut) ? 'shut' : 'only shrunk'} since a look ${secs(unread.map((l) => l.e.unreadMs))} s ago`
      : `nothing acknowledged by the destination for ${secs(bad.map((l) => l.e.unackedMs))} s`;
  return { stuck: { reason, sockets: bad.map((l) => l.s) }, delivering: false, deliveredUntil, windowMs };
}
