// What the SRT connection of a destination proves, look after look at the camera process's UDP
// sockets. SRT is not TCP: its acknowledgements travel inside libsrt over UDP, no socket table
// shows them, and ffmpeg 5.1 neither reports SRT's statistics nor lets the peer idle timeout be
// set. What can be seen instead (measured with ffmpeg 5.1 and libsrt 1.5.1: docs/relay.md, SRT):
// - libsrt gives each connection attempt its own UDP socket, bound to the wildcard address, and
//   closes it when the attempt fails (connect_timeout, 3 s by default) or when the connection
//   breaks: the peer silent for the peer idle timeout (5 s, libsrt's default), which is what a
//   black hole, a hung (stopped) and a killed server all look like from here.
// - At -loglevel error ffmpeg writes nothing when a connected SRT slave breaks; only the failed
//   reconnects ("Connection to srt://host:port failed") are logged.
// So a socket seen over a span longer than a connect attempt can last is a connection, and while
// it stays, the peer answered within the idle timeout; one that goes, or is replaced between two
// looks, is a break, and what was sent in the idle timeout before its last sighting is owed.

/** libsrt's caller connect timeout (SRTO_CONNTIMEO) and peer idle timeout (SRTO_PEERIDLETIMEO). */
export const SRT_CONNECT_MS = 3000;
export const SRT_PEER_IDLE_MS = 5000;
/** libsrt closes a failed attempt's socket from its garbage collector, up to about a second late. */
const CLOSE_LAG_MS = 1500;
/** When a break is seen at the latest after the peer fell silent: idle timeout, close, a 2 s tick. */
export const SRT_BREAK_SEEN_MS = SRT_PEER_IDLE_MS + 1000 + 2000;

export interface SrtVerdict {
  /** As many connections as SRT destinations, each older than a connect attempt can last. */
  connected: boolean;
  /** Why a connection that was up is gone, or null. */
  broke: string | null;
  /** Stream time up to which the peer answered (a connection alive proves the idle timeout before). */
  deliveredUntil: number | null;
}

interface Seen {
  firstSeen: number;
  lastSeen: number;
}

export class SrtEvidence {
  private seen = new Map<string, Seen>();
  private proven: number | null = null;

  /**
   * One look: `inodes` are the camera process's wildcard-bound UDP sockets (udp-table.ts), that is
   * its SRT connections and attempts; `expected` how many SRT destinations it writes. With several,
   * a socket cannot be told apart from another (none has a peer address): a break is a break of each.
   */
  observe(inodes: string[], now: number, expected = 1): SrtVerdict {
    let broke: string | null = null;
    for (const [inode, s] of this.seen) {
      if (inodes.includes(inode)) continue;
      this.seen.delete(inode);
      if (!mature(s)) continue;
      broke = 'the SRT connection to the destination broke: the peer fell silent, or closed it';
      // It was alive at its last sighting: the peer had answered within the idle timeout before.
      const until = s.lastSeen - SRT_PEER_IDLE_MS;
      this.proven = Math.min(this.proven ?? until, until);
    }
    for (const inode of inodes) {
      const s = this.seen.get(inode);
      if (s) s.lastSeen = now;
      else this.seen.set(inode, { firstSeen: now, lastSeen: now });
    }
    const up = [...this.seen.values()].filter(mature).length;
    const connected = !broke && up >= expected && up > 0;
    if (connected) this.proven = now - SRT_PEER_IDLE_MS;
    return { connected, broke, deliveredUntil: this.proven };
  }

  /** Forget every socket (the camera process is gone: its sockets are too). */
  reset(): void {
    this.seen.clear();
  }
}

/** Seen over a longer span than a failed attempt lives: connected. */
function mature(s: Seen): boolean {
  return s.lastSeen - s.firstSeen > SRT_CONNECT_MS + CLOSE_LAG_MS;
}
