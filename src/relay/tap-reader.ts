// A destination with an ffmpeg of its own reading the camera process's loopback UDP tap (a
// transcoding one, or a failing one moved out of the tee: tee-exit.ts), supervised like the
// camera's, and judged by its own connection at the relay's looks.
import { monoNow } from '../core/clock.ts';
import type { PlannedOutput } from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import { scrubText } from '../log/secrets.ts';
import { DeliveryEvidence, judge, type Judgement } from './delivery-evidence.ts';
import { outputCommand } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { ProcessSocketCache } from './process-sockets.ts';
import {
  Supervisor,
  type SupervisedState,
  type SupervisorOptions,
  type SupervisorStatus,
} from './supervisor.ts';
import type { SocketLookup } from './tcp-table.ts';

export interface TapReaderOptions extends Pick<
  SupervisorOptions,
  'stallMs' | 'graceMs' | 'backoffMs' | 'stopTimeoutMs' | 'failingAfter' | 'onFailing'
> {
  output: PlannedOutput;
  /** The destination's URL with its credentials (never logged). */
  url: string;
  udpPort: number;
  progressSeconds: number;
  logger: Logger;
  /** No progress while the camera is down is not the destination's fault. */
  cameraLive: () => boolean;
  onStateChange: (s: SupervisedState, p: SupervisedState) => void;
  /** The failing streak a destination brings from the camera's tee (tee-exit.ts). */
  carried?: FailingCarry;
}

/** Failures in a row so far, since when the destination is failing (null: not yet), and why. */
export interface FailingCarry {
  failures: number;
  since: number | null;
  lastError: string | null;
}

export class TapReader {
  readonly output: PlannedOutput;
  readonly supervisor: Supervisor;
  readonly evidence: DeliveryEvidence;
  private readonly sockets = new ProcessSocketCache();
  /** The peer's highest window in ms of stream, for the backfill margin. */
  windowMs: number | null = null;
  /** The verdict at the last look at its connection, for its supervisor's next check. */
  private last: Judgement | null = null;
  /** The streak brought from the tee, until the process delivers: one alarm, not a second. */
  private carried: FailingCarry | null;
  private alarmed: boolean;

  constructor(o: TapReaderOptions) {
    this.output = o.output;
    this.carried = o.carried ?? null;
    this.alarmed = this.carried?.since != null;
    const alarm = (on: boolean, failures: number, reason: string | null) => {
      if (on === this.alarmed) return;
      this.alarmed = on;
      o.onFailing?.(on, failures, reason);
    };
    this.evidence = new DeliveryEvidence(o.stallMs);
    this.supervisor = new Supervisor({
      stallMs: o.stallMs,
      graceMs: o.graceMs,
      backoffMs: o.backoffMs,
      stopTimeoutMs: o.stopTimeoutMs,
      logger: o.logger,
      spawn: () =>
        runFfmpeg(
          outputCommand({
            output: o.output,
            url: o.url,
            udpPort: o.udpPort,
            progressSeconds: o.progressSeconds,
          }),
        ),
      judge: o.cameraLive,
      explain: (tail) => openFailure(tail, o.url),
      // Judged at the relay's looks at the TCP table (look), read here.
      stallCheck: () => {
        const last = this.last;
        if (!last?.stuck) return null;
        this.last = null;
        return { reason: last.stuck.reason, lastGoodAt: last.deliveredUntil ?? monoNow() };
      },
      onStateChange: (s, p) => {
        if (s === 'live') {
          this.carried = null;
          alarm(false, 0, null);
        }
        o.onStateChange(s, p);
      },
      ...(o.failingAfter !== undefined ? { failingAfter: o.failingAfter } : {}),
      onFailing: (on, failures, reason) => alarm(on, failures + (this.carried?.failures ?? 0), reason),
    });
  }

  /** Its supervisor's status with the streak it brought, and the peer's window. */
  status(now?: number): SupervisorStatus {
    const st = this.supervisor.status(now);
    const c = this.carried;
    return c
      ? {
          ...st,
          failures: st.failures + c.failures,
          failingSince: c.since ?? st.failingSince,
          lastError: st.lastError ?? c.lastError,
          windowMs: this.windowMs,
        }
      : { ...st, windowMs: this.windowMs };
  }

  /** Whether it needs a look at the TCP table: not live yet, or no evidence at the last look. */
  wantsLook(): boolean {
    return this.supervisor.status().state !== 'live' || this.evidence.waiting();
  }

  /** The same evidence as for a tee destination, from its own connection; its supervisor acts on it. */
  look(now: number, table: SocketLookup): void {
    const st = this.supervisor.status(now);
    if (st.pid === null || st.state !== 'live') {
      this.evidence.keepOnly(new Set());
      this.last = null;
      return;
    }
    const sockets = this.sockets.sockets(st.pid, table, this.evidence.waiting());
    const j = sockets.length > 0 ? judge(this.evidence, sockets, now, st.kbps) : null;
    if (j?.windowMs != null) this.windowMs = j.windowMs;
    this.last = j;
  }
}

/**
 * Why its ffmpeg could not open the destination, in the words a tee destination's refusal gets
 * (destination-messages.ts): ffmpeg ends with `URL: why` (`rtmp://host/live/x: Connection refused`),
 * its lines scrubbed as the URL is here.
 */
export function openFailure(tail: string[], url: string): string | null {
  const said = `${scrubText(url)}: `;
  const line = [...tail].reverse().find((l) => l.startsWith(said));
  return line ? `could not open the destination: ${line.slice(said.length)}` : null;
}
