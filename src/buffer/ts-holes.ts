// Holes inside one MPEG-TS segment: a jump in the video's decode times. The recording's fifo drops
// what it holds when its queue is full (a disk slower than the stream), then waits for the next
// key frame; ffmpeg 5.1 says so only at warning level, without saying which slave, and the
// segment list shows nothing, because the segment's times still span the hole. The bytes do: the
// daemon reads every segment once anyway to hash it, and this looks at the same chunks.

/** A jump this long (and several frame intervals) between two video frames is a hole, not a slow camera. */
export const HOLE_SECONDS = 1;
const PACKET = 188;
const CLOCK = 90_000;

export interface Hole {
  /** Seconds after the segment's first video frame where the hole starts. */
  atSeconds: number;
  seconds: number;
}

/** Fed the file's bytes in order, in chunks of whole 188-byte packets (see SCAN_CHUNK). */
export class TsHoleScanner {
  private first: number | null = null;
  private last: number | null = null;
  private interval: number | null = null;
  private aligned = true;
  readonly holes: Hole[] = [];

  feed(buf: Buffer, length: number): void {
    if (!this.aligned) return;
    for (let p = 0; p + PACKET <= length; p += PACKET) {
      if (buf[p] !== 0x47) {
        // Not packet-aligned MPEG-TS: nothing to say about this file.
        this.aligned = false;
        return;
      }
      // Only the first packet of a PES (payload_unit_start) carries its timestamps.
      if ((buf[p + 1]! & 0x40) === 0) continue;
      const afc = (buf[p + 3]! >> 4) & 3;
      if ((afc & 1) === 0) continue;
      const pes = afc === 3 ? p + 5 + buf[p + 4]! : p + 4;
      if (pes + 19 > p + PACKET) continue;
      // A video PES (stream id 0xE0-0xEF) with a PTS: its DTS when it has one (decode order is monotonic).
      if (buf[pes] !== 0 || buf[pes + 1] !== 0 || buf[pes + 2] !== 1 || (buf[pes + 3]! & 0xf0) !== 0xe0)
        continue;
      const flags = buf[pes + 7]! >> 6;
      if (flags < 2) continue;
      this.frame(timestamp(buf, flags === 3 ? pes + 14 : pes + 9));
    }
  }

  private frame(t: number): void {
    if (this.first === null) this.first = t;
    if (this.last !== null) {
      const delta = t - this.last;
      if (delta > HOLE_SECONDS * CLOCK && (this.interval === null || delta > 3 * this.interval))
        this.holes.push({ atSeconds: (this.last - this.first) / CLOCK, seconds: delta / CLOCK });
      else if (delta > 0) this.interval = delta;
    }
    this.last = t;
  }
}

/** Whole packets per read, so no packet straddles two chunks. */
export const SCAN_CHUNK = PACKET * 348;

/** The 33-bit timestamp of a PES header at `at` (marker bits between its three parts). */
function timestamp(buf: Buffer, at: number): number {
  return (
    ((buf[at]! >> 1) & 0x07) * 2 ** 30 +
    ((buf[at + 1]! << 7) | (buf[at + 2]! >> 1)) * 2 ** 15 +
    ((buf[at + 3]! << 7) | (buf[at + 4]! >> 1))
  );
}
