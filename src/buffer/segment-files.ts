// Files of the spool: hashing, free space, and the CSV lists ffmpeg's segment muxer appends to.
import { createHash } from 'node:crypto';
import { createReadStream, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export interface ListEntry {
  file: string;
  startSeconds: number;
  endSeconds: number;
}

/** Parses "file,start,end" lines; a partial last line is left for the next read. */
export function parseSegmentList(text: string): { entries: ListEntry[]; consumed: number } {
  const entries: ListEntry[] = [];
  let consumed = 0;
  for (;;) {
    const nl = text.indexOf('\n', consumed);
    if (nl < 0) break;
    const [file, start, end] = text.slice(consumed, nl).split(',');
    consumed = nl + 1;
    if (file && Number.isFinite(Number(start)) && Number.isFinite(Number(end))) {
      entries.push({ file, startSeconds: Number(start), endSeconds: Number(end) });
    }
  }
  return { entries, consumed };
}

/** Reads what was appended to a file since `offset`. */
export async function readFrom(path: string, offset: number): Promise<string> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}
