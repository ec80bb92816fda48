// The backfill delivery queue over the spool tables (spool-migration.ts): which segments are
// owed to which destination, and the record of each attempt. The only SQL of backfill.
//
// Owed: a 'complete' segment overlapping an ended outage of (its camera, destination), with no
// deliveries row that settles it. Settled: delivered_ms set, or given up as lost (last_error
// starting with "lost:", written together with a row in `lost`). Retention's "needed" and the
// backlog command should use the same rule (OWED_CLAUSE).
import type { Db } from './db.ts';

export interface OwedSegment {
  id: number;
  cameraId: string;
  path: string;
  startMs: number;
  endMs: number;
  bytes: number;
  sha256: string;
  attempts: number;
}

export interface PendingSummary {
  destinationId: string;
  cameraId: string;
  segments: number;
  bytes: number;
  seconds: number;
  oldestMs: number | null;
}

/** A segment is never longer than this; bounds the index range scanned per outage. */
const MAX_SEGMENT_MS = 10 * 60_000;

/** Marks a deliveries row as given up; the owed rule excludes it. */
export const LOST_PREFIX = 'lost:';

/**
 * FROM outages o JOIN segments s, filtered to what is owed to o.destination_id. DISTINCT is
 * needed by callers: one segment may overlap two outages of the same pair. Backfill sends only
 * what ended outages cover; retention also keeps what an outage still open will owe
 * (`includeOpen`: an open outage reaches to now, and no segment starts in the future).
 */
export function owedFrom(opts: { includeOpen: boolean }): string {
  return `
  FROM outages o
  JOIN segments s ON s.camera_id = o.camera_id
    AND s.start_ms < COALESCE(o.end_ms, 8640000000000000) AND s.end_ms > o.start_ms
    AND s.start_ms >= o.start_ms - ${MAX_SEGMENT_MS}
  LEFT JOIN deliveries d ON d.segment_id = s.id AND d.destination_id = o.destination_id
  WHERE ${opts.includeOpen ? '' : 'o.end_ms IS NOT NULL AND'} s.state = 'complete'
    AND (d.segment_id IS NULL OR (d.delivered_ms IS NULL AND COALESCE(d.last_error, '') NOT LIKE '${LOST_PREFIX}%'))`;
}

export const OWED_CLAUSE = owedFrom({ includeOpen: false });

type Raw = Record<string, number | string | null>;

export class BackfillQueue {
  constructor(private readonly db: Db) {}

  /** Cameras with something owed to the destination. */
  owedCameras(destinationId: string): string[] {
    return (
      this.db
        .prepare(`SELECT DISTINCT s.camera_id AS c ${OWED_CLAUSE} AND o.destination_id = ? ORDER BY c`)
        .all(destinationId) as { c: string }[]
    ).map((r) => r.c);
  }

  /** The next owed segments of one pair after a cursor (start_ms, id), oldest first. */
  owed(
    destinationId: string,
    cameraId: string,
    after: { startMs: number; id: number } = { startMs: Number.MIN_SAFE_INTEGER, id: -1 },
    limit = 50,
  ): OwedSegment[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT s.id, s.camera_id, s.path, s.start_ms, s.end_ms, s.bytes, s.sha256,
                  COALESCE(d.attempts, 0) AS attempts
           ${OWED_CLAUSE} AND o.destination_id = ? AND o.camera_id = ?
             AND (s.start_ms > ? OR (s.start_ms = ? AND s.id > ?))
           ORDER BY s.start_ms, s.id LIMIT ?`,
        )
        .all(destinationId, cameraId, after.startMs, after.startMs, after.id, limit) as Raw[]
    ).map((r) => ({
      id: r.id as number,
      cameraId: r.camera_id as string,
      path: r.path as string,
      startMs: r.start_ms as number,
      endMs: r.end_ms as number,
      bytes: r.bytes as number,
      sha256: r.sha256 as string,
      attempts: r.attempts as number,
    }));
  }

  /** Destinations (of those given) to which a segment is still owed. */
  owedTo(segmentId: number, destinationIds: string[]): string[] {
    const stmt = this.db.prepare(`SELECT 1 ${OWED_CLAUSE} AND o.destination_id = ? AND s.id = ? LIMIT 1`);
    return destinationIds.filter((d) => stmt.get(d, segmentId) !== undefined);
  }

  /** Per pair: what is still owed. */
  pending(destinationIds: string[]): PendingSummary[] {
    const stmt = this.db.prepare(
      `SELECT camera_id, COUNT(*) AS n, SUM(bytes) AS bytes, SUM(end_ms - start_ms) AS ms, MIN(start_ms) AS oldest
       FROM (SELECT DISTINCT s.id, s.camera_id, s.bytes, s.start_ms, s.end_ms
             ${OWED_CLAUSE} AND o.destination_id = ?)
       GROUP BY camera_id ORDER BY camera_id`,
    );
    return destinationIds.flatMap((destinationId) =>
      (stmt.all(destinationId) as Raw[]).map((r) => ({
        destinationId,
        cameraId: r.camera_id as string,
        segments: r.n as number,
        bytes: (r.bytes as number | null) ?? 0,
        seconds: ((r.ms as number | null) ?? 0) / 1000,
        oldestMs: r.oldest as number | null,
      })),
    );
  }

  /**
   * Returns the attempts so far, or 0 when the segment's row is gone: retention evicted it (and
   * accounted it as lost) while it was being sent, and folded it (segment-folding.ts).
   */
  recordDelivered(segmentId: number, destinationId: string, atMs: number): number {
    const r = this.db
      .prepare(
        `INSERT INTO deliveries (segment_id, destination_id, delivered_ms, attempts)
         SELECT @seg, @dest, @at, 1 WHERE EXISTS (SELECT 1 FROM segments WHERE id = @seg)
         ON CONFLICT (segment_id, destination_id)
         DO UPDATE SET delivered_ms = excluded.delivered_ms, attempts = attempts + 1
         RETURNING attempts`,
      )
      .get({ seg: segmentId, dest: destinationId, at: atMs }) as { attempts: number } | undefined;
    return r?.attempts ?? 0;
  }

  /** Counts a failed attempt; returns the attempts so far. */
  /** As recordDelivered: 0 when the segment's row is gone. */
  recordFailure(segmentId: number, destinationId: string, error: string): number {
    const r = this.db
      .prepare(
        `INSERT INTO deliveries (segment_id, destination_id, attempts, last_error)
         SELECT @seg, @dest, 1, @error WHERE EXISTS (SELECT 1 FROM segments WHERE id = @seg)
         ON CONFLICT (segment_id, destination_id)
         DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error
         RETURNING attempts`,
      )
      .get({ seg: segmentId, dest: destinationId, error: error.slice(0, 500) }) as
      { attempts: number } | undefined;
    return r?.attempts ?? 0;
  }

  /**
   * Gives up a segment whose file vanished or no longer matches its hash: one `lost` row per
   * destination it was owed to, and a settled deliveries row so it is not retried. A missing file
   * also marks the segment 'missing'. Skipped when the segment already left 'complete' (retention
   * evicted it and accounted for it). Returns the destinations it was owed to.
   */
  markLost(
    seg: { id: number; cameraId: string; startMs: number; endMs: number },
    reason: 'missing' | 'corrupt',
    detail: string,
    destinationIds: string[],
  ): string[] {
    return this.db.transaction(() => {
      const state = this.db.prepare('SELECT state FROM segments WHERE id = ?').get(seg.id) as
        { state: string } | undefined;
      if (state?.state !== 'complete') return [];
      const owedTo = this.owedTo(seg.id, destinationIds);
      const lost = this.db.prepare(
        'INSERT INTO lost (camera_id, destination_id, start_ms, end_ms, reason, detail) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const settle = this.db.prepare(
        `INSERT INTO deliveries (segment_id, destination_id, attempts, last_error) VALUES (?, ?, 0, ?)
         ON CONFLICT (segment_id, destination_id) DO UPDATE SET last_error = excluded.last_error`,
      );
      for (const d of owedTo) {
        lost.run(seg.cameraId, d, seg.startMs, seg.endMs, reason, detail);
        settle.run(seg.id, d, `${LOST_PREFIX} ${reason}: ${detail}`.slice(0, 500));
      }
      if (reason === 'missing')
        this.db.prepare("UPDATE segments SET state = 'missing' WHERE id = ?").run(seg.id);
      return owedTo;
    })();
  }
}
