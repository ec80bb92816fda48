// Continuous local recording: the camera's ffmpeg writes the segments (a slave of its tee); this
// module indexes each as it closes (SHA-256, bytes, times), pauses the recording on a full disk
// with an alarm (the write link removed, src/buffer/segment-index.ts), accounts every recording
// gap with its reason (the camera down, a full disk, a wedged recorder, the gateway itself down or
// starting), and enforces retention. Its work runs on the watchdog clock.
import { mkdirSync, unlinkSync } from 'node:fs';
import type { Module } from '../core/module.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import { planEvictions } from '../core/retention.ts';
import type { Logger } from '../log/logger.ts';
import type { RecorderHooks } from '../relay/stream-relay.ts';
import { everySecond } from '../relay/watchdog-clock.ts';
import { AccountingRepo, type OpenGap } from '../store/accounting.ts';
import type { Db } from '../store/db.ts';
import { FOLD_BATCH, foldGoneSegments } from '../store/segment-folding.ts';
import { SpoolRepo, neededSegmentIds } from '../store/spool.ts';
import type { ClockSteps } from './clock-steps.ts';
import { reconcileSpool } from './reconcile.ts';
import { freeBytes } from './segment-files.ts';
import { GAP_MS, SegmentIndex, type CameraSpool, type Gap } from './segment-index.ts';

const MB = 1024 * 1024;
/** Rounds of the watchdog clock (one a second) between disk checks, and between retention passes. */
const DISK_EVERY = 5;
const RETENTION_EVERY = 30;

export class Recording implements Module {
  readonly name = 'recording';
  private readonly index: SegmentIndex;
  private stopClock: (() => void) | null = null;
  private offStep: (() => void) | null = null;
  private round = 0;
  private alarm = false;
  private alarmReason: string | null = null;
  private startedAt = Date.now();
  private off: (() => void) | null = null;
  /** Cameras whose process the relay restarted itself, until their stream is up again. */
  private readonly restarting = new Set<string>();
  private folding: NodeJS.Immediate | null = null;
  private foldedRows = 0;
  private stopped = false;

  constructor(
    private readonly deps: {
      cfg: Config;
      db: Db;
      logger: Logger;
      events: EventBus;
      /** Looked at before each pass, so no segment is dated in a timebase the clock has left. */
      clock?: Pick<ClockSteps, 'check' | 'fileTime' | 'startFileTime'>;
    },
  ) {
    this.index = new SegmentIndex(deps.cfg.recording.dir, deps.logger);
  }

  get enabled(): boolean {
    return this.deps.cfg.recording.enabled;
  }

  hooks(cameraId: string): RecorderHooks {
    const fresh = !this.index.cameras.has(cameraId);
    const cam = this.index.camera(cameraId);
    if (fresh) this.guard('resuming the camera', () => this.resume(cam));
    this.index.setWritable(cam, !this.alarm);
    return {
      dir: cam.link,
      segmentSeconds: this.deps.cfg.recording.segmentSeconds,
      paused: () => this.alarmReason ?? cam.problem,
      onRun: (runId) => this.index.onRun(cam, runId),
      lastWriteAt: () => cam.lastWriteAt,
      onInterrupted: (detail, reason) => {
        if (reason === 'relay-restart') this.restarting.add(cameraId);
        this.index.interrupted(cam, detail, undefined, reason);
      },
    };
  }

  /**
   * The time from where the camera's recording last ended (per the index) to its first segment of
   * this run is lost: a gap left open by the last run keeps its reason (a camera outage that spans
   * the restart), else the gateway was down, or, for a camera never recorded, starting. Seconds
   * are accounted from when the camera was first configured.
   */
  private resume(cam: CameraSpool): void {
    const acc = new AccountingRepo(this.deps.db);
    const since = acc.configured(cam.cameraId, this.startedAt);
    const open = this.closeReconciledGap(acc, cam.cameraId);
    const last = acc.lastRecordedEnd(cam.cameraId);
    const gap: Gap = open
      ? { reason: open.reason, detail: open.detail ?? '', at: open.sinceMs, saved: true }
      : last === null
        ? { reason: 'starting', detail: 'the camera had not recorded yet', at: this.startedAt, saved: false }
        : {
            reason: 'gateway-down',
            detail: 'the gateway was stopped or crashed',
            at: this.startedAt,
            saved: false,
          };
    this.index.resume(cam, last ?? since, gap);
  }

  /**
   * A gap left open by the last run that a segment indexed only at this start (reconciled after a
   * crash) already closed: accounted here, as the index would have. Returns the gap still open.
   */
  private closeReconciledGap(acc: AccountingRepo, cameraId: string): OpenGap | null {
    const open = acc.gap(cameraId);
    if (!open) return null;
    const spans = acc.recorded(cameraId);
    const next = Math.min(...spans.filter((s) => s.startMs > open.sinceMs).map((s) => s.startMs));
    if (!Number.isFinite(next)) return open;
    const before = Math.max(...spans.filter((s) => s.startMs <= open.sinceMs).map((s) => s.endMs));
    if (Number.isFinite(before) && next - before > GAP_MS)
      new SpoolRepo(this.deps.db).addLost({
        cameraId,
        destinationId: null,
        startMs: before,
        endMs: next,
        reason: open.reason,
        detail: open.detail,
      });
    acc.closeGap(cameraId);
    return null;
  }

  async start(signal: AbortSignal): Promise<void> {
    const root = this.deps.cfg.recording.dir;
    mkdirSync(root, { recursive: true });
    const clock = this.deps.clock;
    await reconcileSpool(
      root,
      new SpoolRepo(this.deps.db),
      this.deps.logger,
      clock?.startFileTime.bind(clock),
    );
    if (signal.aborted) return;
    this.guard('disk check', () => this.diskProblem());
    this.offStep = this.deps.events.on('clock.step', (e) => {
      this.index.shift(e.deltaMs);
      this.startedAt += e.deltaMs;
    });
    // A camera that was up and went down: its recording gap is the camera's, unless the relay
    // restarted its process itself and it has not been up since (the old process's last segment
    // may have closed the restart's gap before the stream was seen down).
    this.off = this.deps.events.on('camera.state', (e) => {
      const cam = this.index.cameras.get(e.cameraId);
      if (e.state !== 'offline') this.restarting.delete(e.cameraId);
      else if (cam && e.previous !== null) {
        if (this.restarting.has(e.cameraId))
          this.index.interrupted(
            cam,
            'the relay restarted the camera process',
            Date.parse(e.at),
            'relay-restart',
          );
        else this.index.interrupted(cam, 'the camera stream was down', Date.parse(e.at), 'camera-down');
        // Persisted at once (a pass saves it): the gateway may die before the next second.
        this.indexNew();
      }
    });
    this.stopClock = everySecond(() => this.onClock());
    // What an earlier version left as rows, or a run without a retention pass: folded now.
    this.fold();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.folding) clearImmediate(this.folding);
    this.folding = null;
    this.off?.();
    this.off = null;
    this.stopClock?.();
    this.stopClock = null;
    this.offStep?.();
    this.offStep = null;
    this.indexNew();
    return Promise.resolve();
  }

  private onClock(): void {
    this.round++;
    this.indexNew();
    if (this.round % DISK_EVERY === 0) this.guard('disk check', () => this.checkDisk());
    if (this.round % RETENTION_EVERY === 0) this.guard('retention', () => this.enforceRetention());
  }

  /** A disk that fills while recording: the links go before ffmpeg hits ENOSPC mid-write, and come back with the space. */
  private checkDisk(): void {
    this.diskProblem();
    for (const cam of this.index.cameras.values()) this.index.setWritable(cam, !this.alarm);
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
    this.alarmReason = stillFull ? `disk full (${Math.round(after / MB)} MB free)` : null;
    return this.alarmReason;
  }

  /** A timer's work must never take the daemon down: a full or read-only disk is logged, not thrown. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err }, `${what} failed`);
    }
  }

  /** Indexes the segments ffmpeg has closed since the last look. Never throws. */
  indexNew(): void {
    this.guard('indexing', () => {
      const clock = this.deps.clock;
      clock?.check();
      this.index.pass(
        new SpoolRepo(this.deps.db),
        new AccountingRepo(this.deps.db),
        undefined,
        clock ? (ms) => clock.fileTime(ms) : undefined,
      );
    });
  }

  /** Deletes what age, size and free space require: unneeded segments first, owed ones last (and accounted as lost). */
  /**
   * The index keeps a span, not a row, of each segment whose file is gone (segment-folding.ts): a
   * batch now, the rest a batch per turn of the event loop, so a long backlog never holds the
   * heartbeat or the relay's ticker.
   */
  private fold(): void {
    if (this.folding || this.stopped) return;
    let folded;
    try {
      folded = foldGoneSegments(this.deps.db, FOLD_BATCH);
    } catch (err) {
      // The rows stay as they were (one transaction a batch): tried again at the next pass.
      this.deps.logger.warn({ err }, 'folding gone segments failed');
      return;
    }
    this.foldedRows += folded.segments;
    if (folded.more) {
      this.folding = setImmediate(() => {
        this.folding = null;
        this.fold();
      });
    } else if (this.foldedRows > 0) {
      this.deps.logger.debug({ segments: this.foldedRows }, 'gone segments folded into spans');
      this.foldedRows = 0;
    }
  }

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
    if (within) {
      this.fold();
      return 0;
    }
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
    this.fold();
    return evictions.length;
  }
}
