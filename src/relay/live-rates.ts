// What each live destination got acknowledged beside what its camera sent, over the interval
// between the relay's last two looks at the TCP table: backfill yields to live by it
// (buffer/backfill-pace.ts, docs/backfill.md). socket-bytes.ts gives the status its steadier
// half-minute rates; this reads the same counters at every look, which backfill asks for only
// while it runs (LIVE_RATES_FOR_MS after each ask). Transcoding destinations are left out: their
// own process sends a bitrate of its own, not the camera's.
import type { LiveRates } from '../core/status.ts';
import { ByteRates } from './socket-bytes.ts';
import type { SocketLookup, TcpSocket } from './tcp-table.ts';

/** After an ask, the relay looks at the table at every tick for this long. */
export const LIVE_RATES_FOR_MS = 5000;

export interface RateInputs {
  cameraId: string;
  /** The camera process's connections (its pull is nearly all it receives). */
  camera: string[];
  destinations: { id: string; inodes: string[] }[];
}

export class LiveRateSampler {
  private readonly rates = new ByteRates();
  private at: number | null = null;
  private wantedUntil = -Infinity;

  /** Whether the relay should look at the table at every tick now. */
  wanted(now: number): boolean {
    return now < this.wantedUntil;
  }

  /** Every look at the table. */
  update(table: SocketLookup<Pick<TcpSocket, 'bytesAcked' | 'bytesReceived'>>, at: number): void {
    this.rates.update(table, at);
    this.at = at;
  }

  /** The rates at the last look, null before two looks; asks for a look at every tick meanwhile. */
  sample(now: number, streams: RateInputs[]): LiveRates | null {
    this.wantedUntil = now + LIVE_RATES_FOR_MS;
    if (this.at === null) return null;
    const at = this.at;
    const destinations = streams.flatMap((s) => {
      const cameraKbps = this.rates.kbps(s.camera, 'bytesReceived', at);
      if (cameraKbps === null) return [];
      return s.destinations.flatMap((d) => {
        const ackedKbps = d.inodes.length > 0 ? this.rates.kbps(d.inodes, 'bytesAcked', at) : null;
        return ackedKbps === null
          ? []
          : [{ cameraId: s.cameraId, destinationId: d.id, ackedKbps, cameraKbps }];
      });
    });
    return { at, destinations };
  }
}
