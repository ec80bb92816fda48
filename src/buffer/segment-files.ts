// Files of the spool: hashing, free space, and the CSV lists ffmpeg's segment muxer appends to.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statfsSync } from 'node:fs';
import { SCAN_CHUNK, type TsHoleScanner } from './ts-holes.ts';

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

let chunk: Buffer | null = null;

/**
 * The same, read and hashed on the spot in one reused buffer: called right after ffmpeg closes a
 * segment, its bytes are still in the page cache, and nothing is allocated per file or handed to
 * another thread (each hand-off wakes the daemon). bench/relay measures what it costs. A scanner
 * sees the same chunks, whole MPEG-TS packets each (ts-holes.ts).
 */
export function sha256FileSync(path: string, scan?: TsHoleScanner): { sha256: string; bytes: number } {
  chunk ??= Buffer.allocUnsafe(SCAN_CHUNK);
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += n) {
      hash.update(chunk.subarray(0, n));
      scan?.feed(chunk, n);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** What was appended to a file since `offset`, read at once (a segment list: a line per closed segment). */
export function readFromSync(path: string, offset: number, size: number): string {
  const buf = Buffer.alloc(size - offset);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
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
