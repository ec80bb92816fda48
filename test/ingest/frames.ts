// Counts video frames in recordings that are still growing, without a child process: tests poll
// framesReceived() every second, and an ffprobe per poll per stream would cost more than the relay.
// Each file is read only from where the last call stopped (the servers only ever append).
import { open } from 'node:fs/promises';

interface FileState {
  offset: number;
  frames: number;
}

const TS_PACKET = 188;
const CHUNK = 1 << 20;

/**
 * MPEG-TS from GStreamer's mpegtsmux: one PES per access unit, so a video frame is a TS packet that
 * starts a PES (payload_unit_start_indicator) whose stream_id is a video one (0xE0-0xEF).
 * Returns the bytes consumed (whole packets only).
 */
export function countTsFrames(buf: Buffer): { consumed: number; frames: number } {
  let frames = 0;
  let o = 0;
  while (o + TS_PACKET <= buf.length) {
    if (buf[o] !== 0x47) {
      o++; // lost sync (torn write): step until the next sync byte
      continue;
    }
    const pusi = (buf[o + 1]! & 0x40) !== 0;
    const afc = (buf[o + 3]! >> 4) & 0x3;
    if (pusi && afc & 0x1) {
      const p = o + 4 + (afc & 0x2 ? 1 + buf[o + 4]! : 0);
      if (
        p + 4 <= o + TS_PACKET &&
        buf[p] === 0 &&
        buf[p + 1] === 0 &&
        buf[p + 2] === 1 &&
        (buf[p + 3]! & 0xf0) === 0xe0
      ) {
        frames++;
      }
    }
    o += TS_PACKET;
  }
  return { consumed: o, frames };
}

/**
 * FLV as nginx-rtmp records it: a 9-byte header and PreviousTagSize0, then tags of an 11-byte header,
 * body and 4-byte trailer. A frame is a video tag that carries coded pictures: not a video info/command
 * frame, not an AVC/HEVC sequence header or end of sequence (enhanced-RTMP headers included).
 * `start` is true when buf begins at offset 0 of the file.
 */
export function countFlvFrames(buf: Buffer, start: boolean): { consumed: number; frames: number } {
  let o = 0;
  if (start) {
    if (buf.length < 13) return { consumed: 0, frames: 0 };
    if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV file');
    o = buf.readUInt32BE(5) + 4;
  }
  let frames = 0;
  while (o + 11 <= buf.length) {
    const type = buf[o]! & 0x1f;
    const size = buf.readUIntBE(o + 1, 3);
    const end = o + 11 + size + 4;
    if (end > buf.length) break;
    if (type === 9 && size > 0) {
      const b0 = buf[o + 11]!;
      const b1 = size > 1 ? buf[o + 12]! : 0;
      if (b0 & 0x80) {
        // Enhanced RTMP: the low nibble is the packet type; 1 CodedFrames, 3 CodedFramesX.
        const pt = b0 & 0x0f;
        if (pt === 1 || pt === 3) frames++;
      } else {
        const frameType = b0 >> 4;
        const codec = b0 & 0x0f;
        const avcLike = codec === 7 || codec === 12;
        if (frameType !== 5 && (!avcLike || b1 === 1)) frames++;
      }
    }
    o = end;
  }
  return { consumed: o, frames };
}

export class FrameCounter {
  private readonly files = new Map<string, FileState>();

  /** Video frames in `path` so far; reads only what was appended since the previous call. */
  async count(path: string): Promise<number> {
    const st = this.files.get(path) ?? { offset: 0, frames: 0 };
    const fh = await open(path, 'r').catch(() => null);
    if (!fh) return st.frames;
    try {
      const size = (await fh.stat()).size;
      if (size < st.offset) {
        // Truncated and rewritten (nginx reuses a name within the same second): count afresh.
        st.offset = 0;
        st.frames = 0;
      }
      let chunk = CHUNK;
      while (st.offset < size) {
        const want = Math.min(chunk, size - st.offset);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, st.offset);
        if (bytesRead === 0) break;
        const part = buf.subarray(0, bytesRead);
        const r = path.endsWith('.flv') ? countFlvFrames(part, st.offset === 0) : countTsFrames(part);
        if (r.consumed === 0) {
          if (want < chunk || bytesRead < want) break; // only a partial packet or tag so far
          chunk *= 2; // one tag larger than the chunk
          continue;
        }
        st.offset += r.consumed;
        st.frames += r.frames;
      }
    } finally {
      await fh.close();
    }
    this.files.set(path, st);
    return st.frames;
  }

  async total(paths: string[]): Promise<number> {
    let n = 0;
    for (const p of paths) n += await this.count(p);
    return n;
  }
}
