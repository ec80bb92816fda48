// The state of one destination written by the camera's tee, judged by its output: the TCP
// connection ffmpeg holds to it, whether the far end acknowledges what it is sent and whether
// its application reads it (delivery-evidence.ts). ffmpeg's own progress cannot tell
// destinations apart (it counts packets handed to the tee), and a black-holed or hung
// destination would look fine for as long as the kernels buffer what it is given.
import { monoNow } from '../core/clock.ts';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FailureStreak } from '../core/failure-streak.ts';
import type { PlannedOutput } from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import { scrubText } from '../log/secrets.ts';
import { DeliveryEvidence, judge } from './delivery-evidence.ts';
import { SrtEvidence } from './srt-evidence.ts';
import type { SupervisedState, SupervisorStatus } from './supervisor.ts';
import { canonicalIp, isV6Address, type TcpSocket } from './tcp-table.ts';

const HOUR = 3_600_000;
const RESOLVE_EVERY_MS = 300_000;

const DEFAULT_PORT: Record<PlannedOutput['protocol'], number | null> = {
  rtmp: 1935,
  rtmps: 443,
  rtsp: 554,
  rtsps: 322,
  srt: null, // UDP: judged by its sockets' lives instead (srt-evidence.ts)
};

export interface Endpoint {
  host: string;
  port: number;
}

export function endpointOf(url: string, protocol: PlannedOutput['protocol']): Endpoint | null {
  const fallback = DEFAULT_PORT[protocol];
  if (fallback === null) return null;
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : fallback };
}

/**
 * Why ffmpeg's fifo could not open the destination at `url`, from one of its error lines
 * (`[fifo @ 0x…] Error opening URL: why`, once per reconnect attempt, credentials scrubbed), or
 * null when the line is about something else. Two destinations on one server differ by path.
 */
export function fifoOpenFailure(line: string, url: string): string | null {
  const m = /\] Error opening (\S+): (.*)$/.exec(line);
  if (!m?.[1] || m[2] === undefined) return null;
  const target = (u: string) => {
    try {
      const p = new URL(u);
      return `${p.protocol}//${p.host}${p.pathname}${p.search}`;
    } catch {
      return null;
    }
  };
  const said = target(m[1]);
  // ffmpeg's lines are scrubbed before they reach us: compare with the URL scrubbed the same way.
  return said !== null && said === target(scrubText(url)) ? m[2] : null;
}

/** "ip:port" strings the endpoint's host resolves to, refreshed now and then. */
export class EndpointAddresses {
  private addresses: Set<string> | null = null;
  private resolvedAt = 0;
  private pending = false;

  constructor(readonly endpoint: Endpoint) {
    if (isIP(endpoint.host)) this.addresses = new Set([`${canonicalIp(endpoint.host)}:${endpoint.port}`]);
  }

  /** The addresses known now (null until the first lookup answered); starts a refresh when due. */
  current(now: number): Set<string> | null {
    if (!isIP(this.endpoint.host) && !this.pending && now - this.resolvedAt > RESOLVE_EVERY_MS) {
      this.pending = true;
      lookup(this.endpoint.host, { all: true })
        .then((all) => {
          this.addresses = new Set(all.map((a) => `${canonicalIp(a.address)}:${this.endpoint.port}`));
          this.resolvedAt = monoNow();
        })
        .catch(() => (this.resolvedAt = monoNow() - RESOLVE_EVERY_MS + 10_000))
        .finally(() => (this.pending = false));
    }
    return this.addresses;
  }

  hasV6(): boolean {
    return [...(this.addresses ?? [])].some(isV6Address);
  }
}

export interface CameraView {
  pid: number | null;
  live: boolean;
  fps: number | null;
  kbps: number | null;
  lastFrameAgeMs: number | null;
}

export interface DestinationWatchOptions {
  destinationId: string;
  addresses: EndpointAddresses | null;
  /** An SRT destination: judged by srt-evidence.ts at tickSrt, not by TCP connections. */
  srt?: boolean;
  stallMs: number;
  graceMs: number;
  logger: Logger;
  onStateChange?: (state: SupervisedState, previous: SupervisedState) => void;
  /** Drops in a row before the destination is failing (0: never). */
  failingAfter?: number;
  onFailing?: (failing: boolean, failures: number, reason: string | null) => void;
}

export class DestinationWatch {
  private state: SupervisedState = 'stopped';
  private since = 0;
  private liveSince: number | null = null;
  private restarts: number[] = [];
  private restartsTotal = 0;
  private lastError: string | null = null;
  private deliveredUntil: number | null = null;
  private windowMs: number | null = null;
  private readonly evidence: DeliveryEvidence;
  private readonly srt: SrtEvidence | null;
  /** Connections judged dead and being reset: they must not make the destination look live. */
  private readonly condemned = new Set<string>();
  /** The connections seen at the last look: one gone and replaced between looks is a break. */
  private seen = new Set<string>();
  private camera: CameraView = { pid: null, live: false, fps: null, kbps: null, lastFrameAgeMs: null };
  /** Why it is kept off (its certificate failed the gateway's check: tls-check.ts), or null. */
  private refused: string | null = null;
  /** What the destination acknowledged, kbit/s (socket-bytes.ts); null until measured. */
  private ackedKbps: number | null = null;
  private readonly streak: FailureStreak;

  constructor(private readonly opts: DestinationWatchOptions) {
    this.evidence = new DeliveryEvidence(opts.stallMs);
    this.srt = opts.srt ? new SrtEvidence() : null;
    this.streak = new FailureStreak(opts.failingAfter ?? 0);
  }

  start(now = monoNow()): void {
    this.since = now;
    this.setState(this.refused ? 'backing-off' : 'starting');
  }

  stop(): void {
    this.setState('stopped');
  }

  /**
   * Judges the destination from the camera process's sockets; returns the connections to reset.
   * `sockets` is null on a tick without a look at the connections (nothing new to judge by).
   * `ackedKbps` gives the acknowledged bitrate of a set of connections, when measured.
   */
  tick(
    now: number,
    camera: CameraView,
    sockets: TcpSocket[] | null,
    ackedKbps?: (inodes: string[]) => number | null,
  ): TcpSocket[] {
    if (this.srt || !this.judging(now, camera) || sockets === null) return [];
    const addresses = this.opts.addresses?.current(now);
    if (!this.opts.addresses || !addresses) {
      // A host name not resolved yet: follows the camera.
      this.deliveredUntil = now;
      this.goLive(now);
      return [];
    }
    const mine = sockets.filter((s) => addresses.has(s.remote) && !this.condemned.has(s.inode));
    this.ackedKbps = ackedKbps?.(mine.map((s) => s.inode)) ?? null;
    for (const c of this.condemned) if (!sockets.some((s) => s.inode === c)) this.condemned.delete(c);
    const before = this.seen;
    this.seen = new Set(mine.map((s) => s.inode));
    if (mine.length === 0) {
      this.evidence.keepOnly(new Set());
      if (this.state === 'live') this.fail(now, 'the connection to the destination closed');
      else if (this.state === 'starting' && now - this.since > this.opts.graceMs)
        this.fail(now, `not connected within ${Math.round(this.opts.graceMs / 1000)} s of starting`);
      return [];
    }
    // The connection was replaced between two looks (a server killed and back, or ffmpeg's
    // fifo reconnecting after a failed write): what the old one held was never proven read.
    if (this.state === 'live' && before.size > 0 && !mine.some((s) => before.has(s.inode))) {
      this.evidence.keepOnly(new Set());
      this.fail(now, 'the connection to the destination was replaced');
      return [];
    }
    const j = judge(this.evidence, mine, now, camera.kbps);
    if (j.windowMs !== null) this.windowMs = j.windowMs;
    if (j.stuck) {
      for (const s of j.stuck.sockets) this.condemned.add(s.inode);
      // What was sent after the peer last proved it read never verifiably arrived.
      if (j.deliveredUntil !== null)
        this.deliveredUntil = Math.min(this.deliveredUntil ?? j.deliveredUntil, j.deliveredUntil);
      if (this.state === 'live') this.setState('stalled');
      this.fail(now, j.stuck.reason);
      return j.stuck.sockets;
    }
    if (!j.delivering) return [];
    if (j.deliveredUntil !== null) this.deliveredUntil = j.deliveredUntil;
    this.goLive(now);
    return [];
  }

  /**
   * Judges an SRT destination from the camera process's SRT sockets (udp-table.ts), null when they
   * could not be read (then it follows the camera); `expected` is how many SRT destinations that
   * process writes.
   */
  tickSrt(now: number, camera: CameraView, inodes: string[] | null, expected = 1): void {
    if (!this.srt || !this.judging(now, camera)) return;
    if (inodes === null) {
      this.deliveredUntil = now;
      this.goLive(now);
      return;
    }
    const v = this.srt.observe(inodes, now, expected);
    if (v.broke) {
      this.deliveredUntil = v.deliveredUntil;
      if (this.state === 'live') this.fail(now, v.broke);
      return;
    }
    if (v.connected) {
      this.deliveredUntil = v.deliveredUntil;
      this.goLive(now);
    } else if (this.state === 'starting' && now - this.since > this.opts.graceMs) {
      this.fail(now, `no SRT connection within ${Math.round(this.opts.graceMs / 1000)} s of starting`);
    }
  }

  /**
   * Keeps the destination off with the reason (its certificate failed verification: the camera's
   * ffmpeg is not given it), or, with null, lets it be judged again from the start.
   */
  refuse(reason: string | null, now = monoNow()): void {
    if (reason === this.refused) return;
    this.refused = reason;
    if (reason) this.lastError = reason;
    if (this.state === 'stopped') return; // start() puts it in its state
    this.since = now;
    this.setState(reason ? 'backing-off' : 'starting');
  }

  /** Whether the destination is judged now: not while stopped or refused, nor while its camera is down. */
  private judging(now: number, camera: CameraView): boolean {
    this.camera = camera;
    if (this.state === 'stopped' || this.refused) return false;
    if (camera.live && camera.pid !== null) return true;
    // Nothing to send while the camera is down: not this destination's fault, not judged.
    this.since = now;
    this.condemned.clear();
    this.evidence.keepOnly(new Set());
    this.srt?.reset();
    if (this.state === 'live') this.setState('starting');
    return false;
  }

  /** When it turned failing (monotonic ms), or null: read at every look, without a status. */
  failingSince(): number | null {
    return this.streak.failingSince;
  }

  /** Whether it delivers now. */
  isLive(): boolean {
    return this.state === 'live';
  }

  status(now = monoNow()): SupervisorStatus {
    this.restarts = this.restarts.filter((t) => t > now - HOUR);
    const live = this.state === 'live';
    return {
      state: this.state,
      fps: live ? this.camera.fps : null,
      // SRT (no TCP connection to measure) carries the camera's stream as it comes.
      kbps: live ? (this.opts.addresses ? this.ackedKbps : this.camera.kbps) : null,
      lastFrameAgeMs: live ? this.camera.lastFrameAgeMs : null,
      restartsLastHour: this.restarts.length,
      restartsTotal: this.restartsTotal,
      uptimeMs: live && this.liveSince !== null ? now - this.liveSince : null,
      lastError: this.lastError,
      pid: this.camera.pid,
      deliveredUntil: this.deliveredUntil,
      windowMs: this.opts.addresses ? this.windowMs : null,
      failures: this.streak.failures,
      failingSince: this.streak.failingSince,
    };
  }

  /**
   * Whether the next tick must look at the connections: always unless the destination is live
   * with every connection showing an acknowledgement at the last look. Otherwise the relay may
   * look seldom: a look costs a walk of the kernel's whole TCP table.
   */
  wantsCloseLook(): boolean {
    if (this.srt) return false; // judged from /proc/net/udp at every tick, not from the TCP table
    return this.state !== 'live' || this.evidence.waiting();
  }

  /** The connections to the destination at the last look, while live over TCP: for its bitrate. */
  liveConnections(): string[] {
    return this.state === 'live' && !this.srt && this.opts.addresses ? [...this.seen] : [];
  }

  wantsV6(): boolean {
    return this.opts.addresses?.hasV6() ?? false;
  }

  /** The last error line ffmpeg wrote about this destination, kept for the status. */
  noteError(line: string): void {
    this.lastError = line;
  }

  /**
   * ffmpeg's fifo tried to open the destination again and could not (refused, unreachable, the
   * server said no): one more failure in a row. A connection that never opens leaves nothing in
   * the TCP table to judge, so these lines are the only count of such attempts.
   */
  noteOpenFailure(reason: string, now = monoNow()): void {
    if (this.state === 'stopped' || this.state === 'live') return;
    this.fail(now, reason);
  }

  private goLive(now: number): void {
    if (this.state === 'live') return;
    this.liveSince = now;
    this.setState('live');
    if (this.streak.succeeded() === 'cleared') this.opts.onFailing?.(false, 0, null);
  }

  private fail(now: number, reason: string): void {
    this.restarts.push(now);
    this.restartsTotal++;
    this.lastError = reason;
    if (this.streak.failed(now) === 'entered') this.opts.onFailing?.(true, this.streak.failures, reason);
    // Once per outage: a refused destination fails at every reconnect attempt.
    if (this.state !== 'backing-off')
      this.opts.logger.warn(
        { reason },
        this.state === 'stalled'
          ? 'destination stalled: resetting its connection'
          : 'destination down: ffmpeg reconnects it',
      );
    this.since = now;
    this.setState('backing-off');
  }

  private setState(next: SupervisedState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.opts.onStateChange?.(next, prev);
  }
}
