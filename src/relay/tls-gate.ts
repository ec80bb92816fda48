// Which TLS destinations of a camera stream the tee may be given: a destination that verifies its
// certificate (the default) and whose server presents one that fails the gateway's check
// (tls-check.ts) is left out of the camera's tee and shown refused with the reason, then checked
// again every RECHECK_MS; once it passes, the camera's process is restarted to take it in.
import type { Logger } from '../log/logger.ts';
import { endpointOf } from './destination-watch.ts';
import type { TeeSlave } from './ffmpeg-args.ts';
import type { TeeDestination } from './stream-relay.ts';
import { checkCertificate } from './tls-check.ts';

const RECHECK_MS = 30_000;
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
   * `refusedOnly`); true when one refused before now passes. A server that does not answer is left
   * as it was: ffmpeg does not get through to it either.
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
      if (c.verdict === 'refused' && !this.refused.has(d)) {
        this.log.error(
          { destinationId: id, reason: c.reason },
          'destination refused: its TLS certificate failed verification',
        );
        this.refused.add(d);
        d.watch.refuse(
          `TLS certificate of destination ${id} failed verification (${c.reason}): nothing is sent to it; give the CA that signs it as its caFile, or have the platform fix its certificate`,
        );
      } else if (c.verdict === 'trusted' && this.refused.delete(d)) {
        this.log.info({ destinationId: id }, 'destination certificate now verifies');
        d.watch.refuse(null);
        admitted = true;
      }
    }
    this.checkedAt = Date.now();
    return admitted;
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
