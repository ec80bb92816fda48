// Indexes each camera's segments as ffmpeg closes them. The camera's ffmpeg writes the segments
// itself (a slave of its tee, src/relay/ffmpeg-args.ts) and appends a line to its run's CSV list
// as each file is closed. One pass a second on the watchdog clock: a stat of each run's list, and
// only when it grew, the new lines read, each new file hashed while its bytes are in the page
// cache, and every new row written in one transaction.
import { lstatSync, mkdirSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { LostReason } from '../core/accounting.ts';
import { monoNow } from '../core/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { AccountingRepo } from '../store/accounting.ts';
import type { SegmentRow, SpoolRepo } from '../store/spool.ts';
import { parseSegmentList, readFromSync, sha256FileSync } from './segment-files.ts';
import { TsHoleScanner } from './ts-holes.ts';

/** The link in a camera's directory that ffmpeg writes through: removed to pause the recording. */
export const WRITE_LINK = 'writing';

/** An ended run's ffmpeg has had time (stopTimeoutSeconds at most) to write its last line. */
const RUN_DRAIN_MS = 35_000;
/** A hole between two segments smaller than this is the cut itself, not a gap. */
export const GAP_MS = 1000;

interface Run {
  id: string;
  list: string;
  offset: number;
  /** Set (monotonic) when a newer run of the camera started; the list is dropped once surely read to its end. */
  endedAt: number | null;
  /** The last closed segment's modification time: the open one was named in that second or the next. */
  lastCloseMs: number | null;
  /** Where the last indexed entry ended in the stream's time, seconds. */
  lastEndSeconds: number | null;
  recent: string[];
}

export interface CameraSpool {
  cameraId: string;
  dir: string;
  /** What ffmpeg is given as the directory to write in. */
  link: string;
  runs: Run[];
  /** Monotonic: when a segment last closed or the open one last grew. */
  lastWriteAt: number | null;
  openSize: number;
  /** Why this camera's directory cannot take segments, or null. */
  problem: string | null;
  lastEndMs: number | null;
  /**
   * Recording stopped at `at` for `reason` (a lost reason: camera-down, not-recorded, gateway-down,
   * starting): the hole before the next segment begun after it is lost. Persisted (`saved`) so a
   * gap that spans a restart keeps its reason.
   */
  interrupted: Gap | null;
}

export interface Gap {
  reason: string;
  detail: string;
  at: number;
  saved: boolean;
}

type NewSegment = Omit<SegmentRow, 'id' | 'state'>;
type Missing = { cameraId: string; startMs: number; endMs: number; seconds: number };

export class SegmentIndex {
  readonly cameras = new Map<string, CameraSpool>();

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  camera(cameraId: string): CameraSpool {
    let cam = this.cameras.get(cameraId);
    if (!cam) {
      const dir = join(this.root, cameraId);
      cam = {
        cameraId,
        dir,
        link: join(dir, WRITE_LINK),
        runs: [],
        lastWriteAt: null,
        openSize: 0,
        problem: null,
        lastEndMs: null,
        interrupted: null,
      };
      this.cameras.set(cameraId, cam);
    }
    return cam;
  }

  /** Lets ffmpeg write again (the link back) or not (the link gone: its next segment fails to open, and its fifo retries). */
  setWritable(cam: CameraSpool, writable: boolean): void {
    try {
      const link = lstatSync(cam.link, { throwIfNoEntry: false });
      if (!writable) {
        if (link) unlinkSync(cam.link);
        return;
      }
      mkdirSync(cam.dir, { recursive: true });
      if (!link) symlinkSync('.', cam.link);
      else if (!link.isSymbolicLink()) throw Object.assign(new Error('not a link'), { code: 'EEXIST' });
      cam.problem = null;
    } catch (err) {
      // A read-only or vanished spool (an SD card gone bad) pauses recording, never the relay.
      cam.problem = `spool ${cam.dir} unusable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  }

  onRun(cam: CameraSpool, runId: string, now = monoNow()): void {
    for (const run of cam.runs) run.endedAt ??= now;
    cam.runs.push({
      id: runId,
      list: join(cam.dir, `${runId}.csv`),
      offset: 0,
      endedAt: null,
      lastCloseMs: null,
      lastEndSeconds: null,
      recent: [],
    });
  }

  /** The first reason wins: a gap already open keeps its start and reason. */
  interrupted(cam: CameraSpool, detail: string, at = Date.now(), reason: LostReason = 'not-recorded'): void {
    cam.interrupted ??= { reason, detail, at, saved: false };
  }

  /**
   * A camera met for the first time since start: its recording is counted as ended where the index
   * says it last ended, and a gap open before the stop (persisted) is open again.
   */
  resume(cam: CameraSpool, lastEndMs: number, gap: Gap | null): void {
    cam.lastEndMs = lastEndMs;
    cam.interrupted = gap;
  }

  /**
   * One look at every run: new segments indexed, recording gaps accounted. A bad file is logged,
   * not thrown. `now` is monotonic; `fileTime` turns a file's modification time into the wall
   * clock's present timebase (it may predate a step just noticed: core/clock.ts redate).
   */
  pass(
    repo: SpoolRepo,
    accounting: AccountingRepo,
    now = monoNow(),
    fileTime: (mtimeMs: number) => number = (ms) => ms,
  ): void {
    const rows: NewSegment[] = [];
    const missing: Missing[] = [];
    for (const cam of this.cameras.values()) {
      const gap = cam.interrupted;
      if (gap && !gap.saved) {
        accounting.openGap({
          cameraId: cam.cameraId,
          sinceMs: gap.at,
          reason: gap.reason,
          detail: gap.detail,
        });
        gap.saved = true;
      }
      for (const run of [...cam.runs]) this.readRun(cam, run, rows, missing, now, fileTime);
    }
    repo.addSegments(rows);
    for (const row of rows) this.account(repo, accounting, row);
    for (const m of missing) {
      // Dropped before the disk (the recording's fifo full: a disk slower than the stream), or
      // never sent by the camera: either way these seconds are not in the recording.
      repo.addLost({
        cameraId: m.cameraId,
        destinationId: null,
        startMs: m.startMs,
        endMs: m.endMs,
        reason: 'not-recorded',
        detail: `${m.seconds.toFixed(1)} s missing inside a segment: its queue overflowed or the camera sent nothing`,
      });
      this.logger.warn(
        { cameraId: m.cameraId, seconds: m.seconds },
        'hole inside a segment accounted as lost',
      );
    }
  }

  /** The wall clock stepped by `deltaMs`: the wall times held here move with the rows in the store. */
  shift(deltaMs: number): void {
    for (const cam of this.cameras.values()) {
      if (cam.lastEndMs !== null) cam.lastEndMs += deltaMs;
      if (cam.interrupted) cam.interrupted.at += deltaMs;
      for (const run of cam.runs) if (run.lastCloseMs !== null) run.lastCloseMs += deltaMs;
    }
  }

  private readRun(
    cam: CameraSpool,
    run: Run,
    rows: NewSegment[],
    missing: Missing[],
    now: number,
    fileTime: (mtimeMs: number) => number,
  ): void {
    const size = statSync(run.list, { throwIfNoEntry: false })?.size ?? null;
    if (size === null || size === run.offset) {
      if (run.endedAt !== null && now - run.endedAt > RUN_DRAIN_MS) {
        cam.runs.splice(cam.runs.indexOf(run), 1);
        if (size !== null) unlinkSync(run.list);
      } else if (run.endedAt === null) this.lookAtOpenSegment(cam, run, now);
      return;
    }
    // A retry after a failed write starts the segment muxer again, which truncates its list.
    if (size < run.offset) run.offset = 0;
    const text = readFromSync(run.list, run.offset, size);
    const { entries, consumed } = parseSegmentList(text);
    run.offset += Buffer.byteLength(text.slice(0, consumed));
    for (const e of entries) {
      if (run.recent.includes(e.file)) continue;
      run.recent = [...run.recent.slice(-7), e.file];
      const path = join(cam.dir, e.file);
      try {
        const endMs = Math.round(fileTime(statSync(path).mtimeMs));
        const scan = new TsHoleScanner();
        const { sha256, bytes } = sha256FileSync(path, scan);
        // A segment that starts where the last one ended in the stream's time follows it without
        // a hole, whatever the writer's lag did to the files' times. Otherwise (a new run, or a
        // retry, whose list times restart at 0) its start is its end less its duration, and no
        // earlier than the second in its name, when ffmpeg opened it.
        const continues =
          run.lastEndSeconds !== null &&
          run.lastCloseMs !== null &&
          Math.abs(e.startSeconds - run.lastEndSeconds) < 0.05;
        // A name later than the close is of a timebase the clock stepped back from: no floor.
        const named = Number(/-(\d+)\.ts$/.exec(e.file)?.[1] ?? 0) * 1000;
        const opened = named <= endMs ? named : 0;
        const startMs = continues
          ? Math.min(run.lastCloseMs!, endMs)
          : Math.max(Math.round(endMs - (e.endSeconds - e.startSeconds) * 1000), opened);
        rows.push({ cameraId: cam.cameraId, path, startMs, endMs, bytes, sha256, recovered: false });
        for (const h of scan.holes) {
          const from = startMs + Math.round(h.atSeconds * 1000);
          missing.push({
            cameraId: cam.cameraId,
            startMs: from,
            endMs: from + Math.round(h.seconds * 1000),
            seconds: h.seconds,
          });
        }
        run.lastCloseMs = endMs;
        run.lastEndSeconds = e.endSeconds;
        cam.lastWriteAt = now;
        cam.openSize = 0;
      } catch (err) {
        this.logger.error({ cameraId: cam.cameraId, file: e.file, err }, 'cannot index segment');
      }
    }
  }

  /** Between two closes, the open segment growing is the evidence the recording goes on. */
  private lookAtOpenSegment(cam: CameraSpool, run: Run, now: number): void {
    if (run.lastCloseMs === null || (cam.lastWriteAt !== null && now - cam.lastWriteAt < 2000)) return;
    const second = Math.floor(run.lastCloseMs / 1000);
    for (const s of [second, second + 1]) {
      const size = statSync(join(cam.dir, `${run.id}-${s}.ts`), { throwIfNoEntry: false })?.size;
      if (size === undefined) continue;
      if (size > cam.openSize) {
        cam.openSize = size;
        cam.lastWriteAt = now;
      }
      return;
    }
  }

  private account(repo: SpoolRepo, accounting: AccountingRepo, row: NewSegment): void {
    const cam = this.cameras.get(row.cameraId)!;
    const gapFrom = cam.lastEndMs;
    cam.lastEndMs = Math.max(cam.lastEndMs ?? 0, row.endMs);
    const stop = cam.interrupted;
    if (!stop || row.startMs <= stop.at) return;
    cam.interrupted = null;
    accounting.closeGap(row.cameraId);
    if (gapFrom === null || row.startMs - gapFrom <= GAP_MS) return;
    repo.addLost({
      cameraId: row.cameraId,
      destinationId: null,
      startMs: gapFrom,
      endMs: row.startMs,
      reason: stop.reason,
      detail: stop.detail,
    });
    this.logger.warn(
      {
        cameraId: row.cameraId,
        seconds: Math.round((row.startMs - gapFrom) / 1000),
        reason: stop.reason,
        detail: stop.detail,
      },
      'recording gap accounted as lost',
    );
  }
}
