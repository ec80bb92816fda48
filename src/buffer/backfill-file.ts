// Checks that a segment file still holds what the index says before it is sent.
import { sha256File } from './segment-files.ts';
import { stat } from 'node:fs/promises';

export type FileCheck =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'corrupt'; detail: string }
  /** An I/O error that may pass (permissions being fixed, a busy disk): try again later. */
  | { ok: false; reason: 'unreadable'; detail: string };

export async function checkSegmentFile(path: string, bytes: number, sha256: string): Promise<FileCheck> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { ok: false, reason: 'missing', detail: 'not a regular file' };
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', detail: 'file gone' };
    return { ok: false, reason: 'unreadable', detail: (err as Error).message };
  }
  if (size !== bytes) return { ok: false, reason: 'corrupt', detail: `size ${size} != indexed ${bytes}` };
  try {
    const actual = (await sha256File(path)).sha256;
    if (actual !== sha256.toLowerCase())
      return { ok: false, reason: 'corrupt', detail: `sha256 ${actual} != indexed ${sha256}` };
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: (err as Error).message };
  }
  return { ok: true };
}
