// After a SIGKILL or a power cut the index and the disk disagree. Make them agree: index what
// is on disk and complete, repair or discard the segment that was being written, and account
// for anything that is gone. Nothing is indexed that is not on disk; nothing on disk is forgotten.
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { probeFile } from '../relay/ffprobe.ts';
import type { SpoolRepo } from '../store/spool.ts';
import { parseSegmentList, sha256File } from './segment-files.ts';

export interface ReconcileResult {
  indexed: number;
  repaired: number;
  discarded: number;
  missing: number;
}

const TS_PACKET = 188;

export async function reconcileSpool(
  root: string,
  repo: SpoolRepo,
  logger: Logger,
  /** A file time in the wall clock's present timebase (it may have stepped while the daemon was stopped). */
  fileTime: (mtimeMs: number) => number = (ms) => ms,
): Promise<ReconcileResult> {
  const result: ReconcileResult = { indexed: 0, repaired: 0, discarded: 0, missing: 0 };
  const known = repo.knownPaths();
  for (const row of repo.complete()) {
    if (existsSync(row.path)) continue;
    repo.setState(row.id, 'missing');
    repo.addLost({
      cameraId: row.cameraId,
      destinationId: null,
      startMs: row.startMs,
      endMs: row.endMs,
      reason: 'missing',
      detail: 'segment file gone at start',
    });
    result.missing++;
  }
  const cameras = existsSync(root)
    ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())
    : [];
  for (const cam of cameras) {
    const dir = join(root, cam.name);
    const files = readdirSync(dir);
    // Segments ffmpeg finished (listed in a run's CSV) but that we had not indexed yet.
    const listed = new Map<string, number>();
    for (const csv of files.filter((f) => f.endsWith('.csv'))) {
      for (const e of parseSegmentList(readFileSync(join(dir, csv), 'utf8')).entries)
        listed.set(e.file, e.endSeconds - e.startSeconds);
    }
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const path = join(dir, file);
      if (known.has(path)) continue;
      const endMs = Math.round(fileTime(statSync(path).mtimeMs));
      let seconds = listed.get(file);
      let recovered = false;
      if (seconds === undefined) {
        // The segment being written when the box went down: keep it if it plays, else account for it.
        const probe = await probeFile(path);
        // Unlink only what ffprobe read and found unplayable; a failed probe keeps the file.
        if (probe.ok && probe.keyframes === 0) {
          unlinkSync(path);
          // The gap runs from the end of the last segment kept for this camera.
          const before = repo
            .complete(cam.name)
            .filter((r) => r.endMs <= endMs)
            .at(-1);
          repo.addLost({
            cameraId: cam.name,
            destinationId: null,
            startMs: before?.endMs ?? endMs - 1000,
            endMs,
            reason: 'partial-discarded',
            detail: `${file}: no key frame after a crash`,
          });
          result.discarded++;
          continue;
        }
        const size = statSync(path).size;
        if (size % TS_PACKET !== 0) truncateSync(path, size - (size % TS_PACKET));
        seconds = probe.durationSeconds;
        recovered = true;
        result.repaired++;
      } else result.indexed++;
      const { sha256, bytes } = await sha256File(path);
      repo.addSegment({
        cameraId: cam.name,
        path,
        startMs: Math.round(endMs - seconds * 1000),
        endMs: Math.round(endMs),
        bytes,
        sha256,
        recovered,
      });
    }
    for (const csv of files.filter((f) => f.endsWith('.csv'))) unlinkSync(join(dir, csv));
  }
  if (result.repaired + result.discarded + result.missing + result.indexed > 0)
    logger.warn({ ...result }, 'spool reconciled after an unclean stop');
  return result;
}
