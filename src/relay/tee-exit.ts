// A tee destination that keeps failing leaves the camera's tee (issue 12 item 6). Inside the tee,
// ffmpeg 5.1's fifo retries it after the same wait for ever, whatever fails; a process of its own
// backs off in relay.backoffSeconds steps with jitter, as every process of the relay does. So once
// it is `failing`, the destination moves to its own `-c copy` ffmpeg reading a loopback tap of the
// camera's process, as a transcoding destination does, keeping its id (ledger, outages, backfill,
// judging). The move costs one restart of the camera's process: a few seconds of the recording and
// of the other destinations, accounted as any restart the relay causes (StreamRelay.restart). It
// stays out until the stream's relay is rebuilt (reload, re-point, daemon restart): coming back on
// its own would cost another restart each time, and a destination that fails on and off would flap.
// So only a platform that refuses for a long while (relay.teeExitAfterSeconds) while the site
// delivers elsewhere is moved; an uplink outage, the common fault, never is.
import type { PlannedOutput } from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import type { DestinationWatch } from './destination-watch.ts';
import type { TeeSlave } from './ffmpeg-args.ts';
import type { FailingCarry, TapReader } from './tap-reader.ts';
import { freeUdpPorts } from './udp-ports.ts';

/** A stream-copied destination: a slave of the camera's tee, judged by its connections. */
export interface TeeDestination {
  output: PlannedOutput;
  watch: DestinationWatch;
  /** host:port as it appears in ffmpeg's messages, to tell which destination a line is about. */
  mark: string | null;
  /** Its slave of the camera's tee. */
  slave: TeeSlave;
}

export interface TeeExitParts {
  /** The tee's destinations; the moved one leaves it. */
  tee: TeeDestination[];
  /** The camera process's slaves, read at each launch: the moved one's becomes a tap. */
  slaves: TeeSlave[];
  /** The stream's tap readers; the moved destination's joins them. */
  readers: TapReader[];
  /** A copy process for `output` on the tap at `udpPort`, carrying its failing streak. */
  reader: (output: PlannedOutput, udpPort: number, carried: FailingCarry) => TapReader;
  /** Restarts the camera's process, accounted (StreamRelay.restart). */
  restartCamera: (reason: string) => Promise<void>;
  /** Whether the stream was stopped meanwhile. */
  stopped: () => boolean;
  log: Logger;
}

export class TeeExit {
  private readonly moving = new Set<string>();

  constructor(private readonly parts: TeeExitParts) {}

  /**
   * At each look: moves the tee destinations failing for `afterMs` or longer, if the site delivers
   * elsewhere. An uplink that is down fails every destination at once: that is not a platform to
   * back off from, and moving them all would cut every camera and leave each with more processes.
   */
  consider(now: number, afterMs: number, siteDelivers: () => boolean): void {
    const due = this.parts.tee.filter((d) => {
      const since = d.watch.failingSince();
      return since !== null && now - since >= afterMs && !this.moving.has(d.output.destinationId);
    });
    if (due.length === 0 || !siteDelivers()) return;
    for (const d of due) void this.move(d.output.destinationId);
  }

  /** Moves the tee destination `destinationId` to its own process; resolves once it runs there. */
  async move(destinationId: string): Promise<void> {
    const { tee, slaves, readers, log } = this.parts;
    const d = tee.find((x) => x.output.destinationId === destinationId);
    if (!d || this.moving.has(destinationId)) return;
    this.moving.add(destinationId);
    try {
      const [port] = await freeUdpPorts(1);
      if (port === undefined || this.parts.stopped()) return;
      slaves[slaves.indexOf(d.slave)] = { kind: 'tap', port };
      log.warn(
        { destinationId, failures: d.watch.status().failures },
        'failing destination moved out of the tee to its own process: it backs off in steps until the relay is rebuilt',
      );
      // Until the camera's process runs without it, the destination stays shown as it was; its
      // reader starts after, or the new camera process would restart it at once.
      await this.parts.restartCamera(`destination ${destinationId} moved out of the tee to its own process`);
      if (this.parts.stopped()) return;
      // Its watch is ticked only from the tee: left, not stopped (that would show it `stopped`).
      tee.splice(tee.indexOf(d), 1);
      const st = d.watch.status();
      const carried = { failures: st.failures, since: st.failingSince, lastError: st.lastError };
      const reader = this.parts.reader(d.output, port, carried);
      readers.push(reader);
      reader.supervisor.start();
    } finally {
      this.moving.delete(destinationId);
    }
  }
}
