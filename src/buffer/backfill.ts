// Backfill (issue 4, docs/backfill.md): sends each destination's backfill endpoint the recorded
// segments it missed during ended outages, oldest first per (camera, destination), under one
// shared rate cap. Everything it needs is in SQLite, so it resumes after a restart by polling.
import http from 'node:http';
import https from 'node:https';
import { backoffDelay } from '../core/backoff.ts';
import { monoNow } from '../core/clock.ts';
import type { Module } from '../core/module.ts';
import type { BackfillStatus, LiveRates } from '../core/status.ts';
import type { Config, DestinationConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { BackfillQueue, type OwedSegment } from '../store/backfill-queue.ts';
import type { Db } from '../store/db.ts';
import { checkSegmentFile } from './backfill-file.ts';
import { Alarm, Slots } from './backfill-sync.ts';
import { backfillHeaders, backfillUrl, failureScope } from './backfill-url.ts';
import { BackfillPacing } from './backfill-pacing.ts';
import { uploadSegment } from './backfill-upload.ts';
import { Throttle } from './rate-throttle.ts';

export interface BackfillDeps {
  cfg: Config;
  db: Db;
  logger: Logger;
  /** How often the queue is re-read (new ended outages, retries set aside). Default 10 s. */
  pollMs?: number;
  /** Uploads in flight at once, across all pairs. Default 2. */
  parallel?: number;
  /** For the retry jitter. */
  random?: () => number;
  /** The live destinations' acknowledged rates beside their cameras' (the relay's), for the pace. */
  liveRates?: () => LiveRates | null;
}

export type { BackfillStatus };

type Target = DestinationConfig & { backfill: NonNullable<DestinationConfig['backfill']> };
type Outcome = 'delivered' | 'lost' | 'aside' | 'aborted' | { retryInMs: number };

/** Default cap: backfill.maxKbps, else half the uplink budget, else none. */
export function backfillCapKbps(cfg: Config): number | null {
  return cfg.backfill.maxKbps ?? (cfg.uplink.kbps !== undefined ? Math.floor(cfg.uplink.kbps / 2) : null);
}

export class Backfill implements Module {
  readonly name = 'backfill';
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly workers = new Map<string, Promise<void>>();
  /** Segments whose content the receiver refused: key segment:destination, retry not before. */
  /** Segments set aside after a failure of their own, until a monotonic time. */
  private readonly aside = new Map<string, number>();
  private readonly poll = new Alarm();
  private readonly backoff = new Alarm();
  private slots: Slots | null = null;
  private throttle: Throttle | null = null;
  private pacing: BackfillPacing | null = null;
  private agents: { http: http.Agent; https: https.Agent } | null = null;
  private inFlight = 0;
  private pending = { segments: 0, bytes: 0, seconds: 0, oldestMs: null as number | null };
  private counts = { delivered: 0, failedAttempts: 0, lost: 0, bytesSent: 0 };
  private lastError: BackfillStatus['lastError'] = null;

  constructor(private readonly deps: BackfillDeps) {}

  private get targets(): Target[] {
    return this.deps.cfg.destinations.filter((d): d is Target => d.enabled && d.backfill !== undefined);
  }

  start(signal: AbortSignal): Promise<void> {
    const parallel = this.deps.parallel ?? 2;
    this.abort = new AbortController();
    signal.addEventListener('abort', () => this.abort?.abort(), { once: true });
    this.slots = new Slots(parallel);
    this.throttle = new Throttle(backfillCapKbps(this.deps.cfg));
    if (this.deps.cfg.backfill.adapt) {
      this.pacing = new BackfillPacing(
        this.throttle,
        backfillCapKbps(this.deps.cfg),
        this.deps.liveRates ?? (() => null),
        () => this.inFlight > 0,
        this.deps.logger,
      );
      this.pacing.start();
    }
    this.agents = {
      http: new http.Agent({ keepAlive: false, maxSockets: parallel }),
      https: new https.Agent({ keepAlive: false, maxSockets: parallel }),
    };
    this.deps.logger.info(
      {
        capKbps: backfillCapKbps(this.deps.cfg),
        adapt: this.pacing !== null,
        destinations: this.targets.map((d) => d.id),
      },
      'backfill ready',
    );
    this.loop = this.run(this.abort.signal);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.pacing?.stop();
    await this.loop;
    await Promise.allSettled([...this.workers.values()]);
    this.agents?.http.destroy();
    this.agents?.https.destroy();
    this.loop = null;
  }

  /** A destination came back (or anything may be owed): retry now instead of at the next step. */
  kick(): void {
    this.backoff.ring();
    this.poll.ring();
  }

  status(): BackfillStatus {
    return {
      uploading: this.inFlight > 0,
      inFlight: this.inFlight,
      pendingSegments: this.pending.segments,
      pendingBytes: this.pending.bytes,
      pendingSeconds: Math.round(this.pending.seconds * 10) / 10,
      oldestPendingAt: this.pending.oldestMs === null ? null : new Date(this.pending.oldestMs).toISOString(),
      capKbps: backfillCapKbps(this.deps.cfg),
      paceKbps: this.pacing ? Math.round(this.pacing.state().kbps) : null,
      paceReason: this.pacing?.state().reason ?? null,
      paceBackoffs: this.pacing?.state().backoffs ?? 0,
      ...this.counts,
      lastError: this.lastError,
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.tick(signal);
      await this.poll.sleep(this.deps.pollMs ?? 10_000, signal);
    }
  }

  /** Re-reads the queue and starts a worker for every pair with something owed and none running. */
  private tick(signal: AbortSignal): void {
    try {
      const queue = this.queue();
      this.refreshPending(queue);
      for (const dest of this.targets) {
        for (const cameraId of queue.owedCameras(dest.id)) {
          const key = `${dest.id}/${cameraId}`;
          if (this.workers.has(key)) continue;
          const w = this.runPair(dest, cameraId, signal).finally(() => this.workers.delete(key));
          this.workers.set(key, w);
        }
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'backfill queue read failed');
    }
  }

  private refreshPending(queue: BackfillQueue): void {
    const all = queue.pending(this.targets.map((d) => d.id));
    const oldest = all.map((p) => p.oldestMs).filter((m): m is number => m !== null);
    this.pending = {
      segments: all.reduce((n, p) => n + p.segments, 0),
      bytes: all.reduce((n, p) => n + p.bytes, 0),
      seconds: all.reduce((n, p) => n + p.seconds, 0),
      oldestMs: oldest.length ? Math.min(...oldest) : null,
    };
  }

  /** One pair, in order: a destination-side failure waits and retries the same segment. */
  private async runPair(dest: Target, cameraId: string, signal: AbortSignal): Promise<void> {
    const log = this.deps.logger.child({ destinationId: dest.id, cameraId });
    let cursor = { startMs: Number.MIN_SAFE_INTEGER, id: -1 };
    let sent = 0;
    try {
      for (;;) {
        if (signal.aborted) return;
        const batch = this.queue().owed(dest.id, cameraId, cursor);
        if (batch.length === 0) break;
        for (const seg of batch) {
          const until = this.aside.get(`${seg.id}:${dest.id}`);
          if (until !== undefined && until > monoNow()) {
            cursor = seg;
            continue;
          }
          const outcome = await this.deliver(dest, seg, signal, log);
          if (outcome === 'aborted') return;
          if (typeof outcome === 'object') {
            await this.backoff.sleep(outcome.retryInMs, signal);
            break; // re-read from the same cursor: the same segment comes first again
          }
          if (outcome === 'delivered') sent++;
          cursor = seg;
        }
      }
      if (sent > 0) log.info({ segments: sent }, 'backfill caught up');
    } catch (err) {
      log.error({ err }, 'backfill worker failed');
    }
  }

  private async deliver(dest: Target, seg: OwedSegment, signal: AbortSignal, log: Logger): Promise<Outcome> {
    const release = await this.slots!.take();
    this.inFlight++;
    try {
      if (signal.aborted) return 'aborted';
      const check = await checkSegmentFile(seg.path, seg.bytes, seg.sha256);
      if (!check.ok && check.reason !== 'unreadable') {
        const owedTo = this.queue().markLost(
          seg,
          check.reason,
          check.detail,
          this.targets.map((d) => d.id),
        );
        this.counts.lost++;
        this.pending.segments = Math.max(0, this.pending.segments - owedTo.length);
        log.warn({ segmentId: seg.id, reason: check.reason, detail: check.detail, owedTo }, 'segment lost');
        return 'lost';
      }
      if (!check.ok) return this.failed(dest, seg, null, `unreadable: ${check.detail}`, log);
      const token = dest.backfill.token;
      const res = await uploadSegment({
        url: backfillUrl(dest.backfill.url, {
          siteId: this.deps.cfg.site.id,
          cameraId: seg.cameraId,
          startMs: seg.startMs,
        }),
        method: dest.backfill.method,
        headers: backfillHeaders({ ...seg, siteId: this.deps.cfg.site.id, token }),
        path: seg.path,
        throttle: this.throttle!,
        timeoutMs: this.deps.cfg.backfill.timeoutSeconds * 1000,
        signal,
        agents: this.agents!,
      });
      this.counts.bytesSent += res.sent;
      if (!res.ok && res.aborted) return 'aborted';
      const queue = this.queue();
      if (res.ok) {
        const attempts = queue.recordDelivered(seg.id, dest.id, Date.now());
        this.aside.delete(`${seg.id}:${dest.id}`);
        this.counts.delivered++;
        this.pending.segments = Math.max(0, this.pending.segments - 1);
        this.pending.bytes = Math.max(0, this.pending.bytes - seg.bytes);
        log.debug({ segmentId: seg.id, status: res.status, attempts }, 'segment delivered');
        return 'delivered';
      }
      // A receiver might echo headers back; the token never goes to the database or a log line.
      const error = token ? res.error.split(token).join('***') : res.error;
      return this.failed(dest, seg, res.status, error, log);
    } finally {
      this.inFlight--;
      release();
    }
  }

  private failed(dest: Target, seg: OwedSegment, status: number | null, error: string, log: Logger): Outcome {
    const attempts = this.queue().recordFailure(seg.id, dest.id, error);
    this.counts.failedAttempts++;
    this.lastError = { destinationId: dest.id, cameraId: seg.cameraId, error, at: new Date().toISOString() };
    const steps = this.deps.cfg.backfill.retrySeconds.map((s) => s * 1000);
    const delayMs = backoffDelay(steps, Math.max(0, attempts - 1), this.deps.random ?? Math.random);
    const scope = status === null && error.startsWith('unreadable') ? 'segment' : failureScope(status);
    log.warn(
      { segmentId: seg.id, status, attempts, retryInMs: Math.round(delayMs), scope, error },
      'segment upload failed',
    );
    if (scope === 'segment') {
      this.aside.set(`${seg.id}:${dest.id}`, monoNow() + delayMs);
      return 'aside';
    }
    return { retryInMs: delayMs };
  }

  private queue(): BackfillQueue {
    return new BackfillQueue(this.deps.db);
  }
}
