// Which TLS destinations of a camera stream the tee may be given: a destination that verifies its
// certificate (the default) and whose server presents one that fails the gateway's check
// (tls-check.ts) is left out of the camera's tee and shown refused with the reason, then checked
// again every RECHECK_MS; once it passes, the camera's process is restarted to take it in. An RTSPS
// server that does not answer the check is kept out too until it passes: ffmpeg 5.1 would write to
// it unverified once it is back. An RTMPS one is let in: ffmpeg verifies RTMPS itself.
import { monoNow } from '../core/clock.ts';
import type { Logger } from '../log/logger.ts';
import { endpointOf } from './destination-watch.ts';
import type { TeeSlave } from './ffmpeg-args.ts';
import type { TeeDestination } from './tee-exit.ts';
import { checkCertificate } from './tls-check.ts';

const RECHECK_MS = 15_000;
const CHECK_TIMEOUT_MS = 5_000;

export class TlsGate {
  private readonly refused = new Set<TeeDestination>();
  private checking = false;
  private checkedAt = 0;

  constructor(
    private readonly tee: TeeDestination[],
    private readonly log: Logger,
  ) {}

  /** Whether this slave of the tee is kept out. */
  refuses(slave: TeeSlave): boolean {
    return [...this.refused].some((d) => d.slave === slave);
  }

  /**
   * Checks the certificate of each TLS destination that verifies (only the refused ones with
   * `refusedOnly`); true when one refused before now passes.
   */
  async check(refusedOnly = false): Promise<boolean> {
    const checked = this.tee.filter((d) => d.output.tls?.verify && (!refusedOnly || this.refused.has(d)));
    const results = await Promise.all(
      checked.map(async (d) => {
        const e = endpointOf(d.output.url, d.output.protocol)!;
        return { d, c: await checkCertificate(e.host, e.port, d.output.tls!.caFile, CHECK_TIMEOUT_MS) };
      }),
    );
    let admitted = false;
    for (const { d, c } of results) {
      const id = d.output.destinationId;
      if (c.verdict === 'refused')
        this.hold(
          d,
          'destination refused: its TLS certificate failed verification',
          c.reason,
          `TLS certificate of destination ${id} failed verification (${c.reason}): nothing is sent to it; give the CA that signs it as its caFile, or have the platform fix its certificate`,
        );
      else if (c.verdict === 'unreachable' && d.output.protocol === 'rtsps')
        this.hold(
          d,
          'destination held until its certificate can be checked',
          c.reason,
          `TLS certificate of destination ${id} not verified yet (${c.reason}): nothing is sent to it until it is`,
        );
      else if (c.verdict === 'trusted' && this.refused.delete(d)) {
        this.log.info({ destinationId: id }, 'destination certificate now verifies');
        d.watch.refuse(null);
        admitted = true;
      }
    }
    this.checkedAt = monoNow();
    return admitted;
  }

  /** Keeps a destination out of the tee with its reason, logged once when it is first held. */
  private hold(d: TeeDestination, logLine: string, reason: string, status: string): void {
    if (!this.refused.has(d)) this.log.error({ destinationId: d.output.destinationId, reason }, logLine);
    this.refused.add(d);
    d.watch.refuse(status);
  }

  /** At the relay's tick: checks the refused ones again when due; `admit` restarts the camera's process. */
  tick(now: number, admit: () => Promise<void>): void {
    if (this.checking || this.refused.size === 0 || now - this.checkedAt < RECHECK_MS) return;
    this.checking = true;
    void this.check(true)
      .then((admitted) => (admitted ? admit() : undefined))
      .finally(() => (this.checking = false));
  }
}
