// Continuous local recording: indexes each segment as ffmpeg closes it (SHA-256, bytes, times),
// keeps recorders off a full disk with an alarm, and enforces retention.
import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Module } from '../core/module.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import { planEvictions } from '../core/retention.ts';
import type { Logger } from '../log/logger.ts';
import type { RecorderHooks } from '../relay/stream-relay.ts';
import type { Db } from '../store/db.ts';
import { SpoolRepo, neededSegmentIds } from '../store/spool.ts';
import { reconcileSpool } from './reconcile.ts';
import { freeBytes, parseSegmentList, readFrom, sha256File } from './segment-files.ts';

interface Run {
  cameraId: string;
  dir: string;
  list: string;
  offset: number;
  /** Set when a newer run of the camera started; the list is dropped once surely read to its end. */
  endedAt: number | null;
}

/** An ended run's ffmpeg has had time (stopTimeoutSeconds at most) to write its last line. */
const RUN_DRAIN_MS = 35_000;

const MB = 1024 * 1024;

export class Recording implements Module {
  readonly name = 'recording';
  private readonly runs = new Map<string, Run>();
  private timers: NodeJS.Timeout[] = [];
  private busy: Promise<void> | null = null;
  private alarm = false;

  constructor(
    private readonly deps: {
      cfg: Config;
      db: Db;
      logger: Logger;
      events: EventBus;
      /** Stops running recorders so they re-check the disk before writing more (they wait until it has room). */
      restartRecorders?: (reason: string) => Promise<void>;
    },
  ) {}

  get enabled(): boolean {
    return this.deps.cfg.recording.enabled;
  }

  hooks(cameraId: string): RecorderHooks {
    const dir = join(this.deps.cfg.recording.dir, cameraId);
    return {
      dir,
      segmentSeconds: this.deps.cfg.recording.segmentSeconds,
      mayLaunch: () => {
        try {
          mkdirSync(dir, { recursive: true });
        } catch (err) {
          // A read-only or vanished spool (an SD card gone bad) pauses recording, never the relay.
          return `spool ${dir} unusable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
        }
        return this.diskProblem();
      },
      onRun: (runId) => {
        // The camera's earlier run has ended: read its list once more, then forget it.
        for (const run of this.runs.values()) if (run.cameraId === cameraId) run.endedAt ??= Date.now();
        this.runs.set(`${cameraId}/${runId}`, {
          cameraId,
          dir,
          list: join(dir, `${runId}.csv`),
          offset: 0,
          endedAt: null,
        });
      },
    };
  }

  async start(signal: AbortSignal): Promise<void> {
    const root = this.deps.cfg.recording.dir;
    mkdirSync(root, { recursive: true });
    await reconcileSpool(root, new SpoolRepo(this.deps.db), this.deps.logger);
    if (signal.aborted) return;
    this.timers = [
      setInterval(() => void this.indexNew(), 1000),
      setInterval(() => this.guard('retention', () => this.enforceRetention()), 30_000),
      // A disk that fills while recording: stop the recorders cleanly rather than let ffmpeg hit ENOSPC mid-write.
      setInterval(
        () =>
          this.guard('disk check', () => {
            if (!this.alarm && this.diskProblem()) void this.deps.restartRecorders?.('disk full');
          }),
        5000,
      ),
    ];
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.indexNew();
  }

  /** A reason the disk cannot take more recording, raising or clearing the alarm. */
  diskProblem(): string | null {
    const { dir, minFreeMb } = this.deps.cfg.recording;
    let free: number;
    try {
      free = freeBytes(dir);
    } catch (err) {
      return `spool ${dir} unusable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
    }
    const full = free < minFreeMb * MB;
    if (full) this.enforceRetention();
    const after = full ? freeBytes(dir) : free;
    const stillFull = after < minFreeMb * MB;
    if (stillFull !== this.alarm) {
      this.alarm = stillFull;
      const message = stillFull
        ? `disk full: ${Math.round(after / MB)} MB free, ${minFreeMb} MB kept free; recording paused, live relay goes on`
        : 'disk space back: recording resumes';
      this.deps.logger[stillFull ? 'error' : 'info']({ freeBytes: after }, message);
      this.deps.events.emit('disk.alarm', {
        path: dir,
        freeBytes: after,
        message,
        at: new Date().toISOString(),
        cleared: !stillFull,
      });
    }
    return stillFull ? `disk full (${Math.round(after / MB)} MB free)` : null;
  }

  /** A timer's work must never take the daemon down: a full or read-only disk is logged, not thrown. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err }, `${what} failed`);
    }
  }

  /** Indexes segments ffmpeg has closed since the last look. One pass at a time; never rejects. */
  indexNew(): Promise<void> {
    this.busy ??= this.indexPass()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'indexing failed'))
      .finally(() => (this.busy = null));
    return this.busy;
  }

  private async indexPass(): Promise<void> {
    const repo = new SpoolRepo(this.deps.db);
    for (const [key, run] of this.runs) {
      const text = await readFrom(run.list, run.offset);
      if (text === '' && run.endedAt !== null && Date.now() - run.endedAt > RUN_DRAIN_MS) {
        this.runs.delete(key);
        await unlink(run.list).catch(() => undefined);
        continue;
      }
      const { entries, consumed } = parseSegmentList(text);
      run.offset += Buffer.byteLength(text.slice(0, consumed));
      for (const e of entries) {
        const path = join(run.dir, e.file);
        try {
          const endMs = statSync(path).mtimeMs;
          const { sha256, bytes } = await sha256File(path);
          repo.addSegment({
            cameraId: run.cameraId,
            path,
            startMs: Math.round(endMs - (e.endSeconds - e.startSeconds) * 1000),
            endMs: Math.round(endMs),
            bytes,
            sha256,
            recovered: false,
          });
        } catch (err) {
          this.deps.logger.error({ cameraId: run.cameraId, file: e.file, err }, 'cannot index segment');
        }
      }
    }
  }

  /** Deletes what age, size and free space require: unneeded segments first, owed ones last (and accounted as lost). */
  enforceRetention(now = Date.now()): number {
    const { cfg, db } = this.deps;
    const repo = new SpoolRepo(db);
    const limits = {
      maxAgeMs: cfg.recording.maxAgeHours * 3_600_000,
      maxBytes: cfg.recording.maxGb ? cfg.recording.maxGb * 1024 * MB : null,
      minFreeBytes: cfg.recording.minFreeMb * MB,
    };
    let free: number;
    try {
      free = freeBytes(cfg.recording.dir);
    } catch {
      return 0;
    }
    const t = repo.totals();
    const within =
      (t.oldestEndMs === null || now - t.oldestEndMs <= limits.maxAgeMs) &&
      (limits.maxBytes === null || t.bytes <= limits.maxBytes) &&
      free >= limits.minFreeBytes;
    if (within) return 0;
    const needed = neededSegmentIds(
      db,
      cfg.destinations.filter((d) => d.backfill).map((d) => d.id),
    );
    const segments = repo.complete().map((s) => ({
      id: s.id,
      cameraId: s.cameraId,
      startMs: s.startMs,
      endMs: s.endMs,
      bytes: s.bytes,
      needed: needed.has(s.id),
      path: s.path,
    }));
    const evictions = planEvictions(segments, limits, now, free);
    const byId = new Map(segments.map((s) => [s.id, s]));
    for (const e of evictions) {
      const seg = byId.get(e.segment.id)!;
      try {
        unlinkSync(seg.path);
      } catch {
        /* already gone: still mark it */
      }
      repo.setState(seg.id, 'evicted');
      if (e.lost)
        repo.addLost({
          cameraId: seg.cameraId,
          destinationId: null,
          startMs: seg.startMs,
          endMs: seg.endMs,
          reason: 'evicted-undelivered',
          detail: `retention by ${e.reason}`,
        });
    }
    if (evictions.length > 0)
      this.deps.logger.info(
        { evicted: evictions.length, lost: evictions.filter((e) => e.lost).length },
        'retention',
      );
    return evictions.length;
  }
}
