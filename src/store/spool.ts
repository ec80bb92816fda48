// The segment index, the outage ledger and the record of lost seconds.
import { owedFrom } from './backfill-queue.ts';
import type { Db } from './db.ts';

export interface SegmentRow {
  id: number;
  cameraId: string;
  path: string;
  startMs: number;
  endMs: number;
  bytes: number;
  sha256: string;
  state: 'complete' | 'evicted' | 'missing';
  recovered: boolean;
}

export interface OutageRow {
  id: number;
  cameraId: string;
  destinationId: string;
  startMs: number;
  endMs: number | null;
  cause: 'uplink' | 'destination' | 'camera' | 'gateway';
}

export interface LostRow {
  cameraId: string;
  destinationId: string | null;
  startMs: number;
  endMs: number;
  reason: string;
  detail: string | null;
}

type Raw = Record<string, number | string | null>;

const segment = (r: Raw): SegmentRow => ({
  id: r.id as number,
  cameraId: r.camera_id as string,
  path: r.path as string,
  startMs: r.start_ms as number,
  endMs: r.end_ms as number,
  bytes: r.bytes as number,
  sha256: r.sha256 as string,
  state: r.state as SegmentRow['state'],
  recovered: r.recovered === 1,
});

const outage = (r: Raw): OutageRow => ({
  id: r.id as number,
  cameraId: r.camera_id as string,
  destinationId: r.destination_id as string,
  startMs: r.start_ms as number,
  endMs: r.end_ms as number | null,
  cause: r.cause as OutageRow['cause'],
});

export class SpoolRepo {
  constructor(private readonly db: Db) {}

  addSegment(s: Omit<SegmentRow, 'id' | 'state'>): number {
    const r = this.db
      .prepare(
        `INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes, sha256, state, recovered)
         VALUES (?, ?, ?, ?, ?, ?, 'complete', ?)
         ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256, state = 'complete'`,
      )
      .run(s.cameraId, s.path, s.startMs, s.endMs, s.bytes, s.sha256, s.recovered ? 1 : 0);
    return Number(r.lastInsertRowid);
  }

  /** Many segments in one transaction: one commit (and one WAL sync) however many closed since the last pass. */
  addSegments(rows: Omit<SegmentRow, 'id' | 'state'>[]): void {
    if (rows.length === 0) return;
    const insert = this.db.prepare(
      `INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes, sha256, state, recovered)
       VALUES (?, ?, ?, ?, ?, ?, 'complete', ?)
       ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256, state = 'complete'`,
    );
    this.db.transaction(() => {
      for (const s of rows)
        insert.run(s.cameraId, s.path, s.startMs, s.endMs, s.bytes, s.sha256, s.recovered ? 1 : 0);
    })();
  }

  /** Segments still on disk, oldest first. */
  complete(cameraId?: string): SegmentRow[] {
    const rows = cameraId
      ? this.db
          .prepare("SELECT * FROM segments WHERE state = 'complete' AND camera_id = ? ORDER BY start_ms")
          .all(cameraId)
      : this.db.prepare("SELECT * FROM segments WHERE state = 'complete' ORDER BY start_ms").all();
    return (rows as Raw[]).map(segment);
  }

  /** Size and age of the spool in one cheap query, so retention plans only when a limit is crossed. */
  totals(): { bytes: number; oldestEndMs: number | null } {
    const r = this.db
      .prepare(
        "SELECT COALESCE(SUM(bytes), 0) AS bytes, MIN(end_ms) AS oldest FROM segments WHERE state = 'complete'",
      )
      .get() as {
      bytes: number;
      oldest: number | null;
    };
    return { bytes: r.bytes, oldestEndMs: r.oldest };
  }

  knownPaths(): Set<string> {
    return new Set(
      (this.db.prepare('SELECT path FROM segments').all() as { path: string }[]).map((r) => r.path),
    );
  }

  setState(id: number, state: SegmentRow['state']): void {
    this.db.prepare('UPDATE segments SET state = ? WHERE id = ?').run(state, id);
  }

  /** Opens an outage unless one is open already; true when it opened one. */
  openOutage(cameraId: string, destinationId: string, cause: OutageRow['cause'], startMs: number): boolean {
    if (
      this.db
        .prepare('SELECT 1 FROM outages WHERE camera_id = ? AND destination_id = ? AND end_ms IS NULL')
        .get(cameraId, destinationId)
    )
      return false;
    this.db
      .prepare('INSERT INTO outages (camera_id, destination_id, start_ms, cause) VALUES (?, ?, ?, ?)')
      .run(cameraId, destinationId, startMs, cause);
    return true;
  }

  closeOutage(cameraId: string, destinationId: string, endMs: number): OutageRow | null {
    const open = this.db
      .prepare('SELECT * FROM outages WHERE camera_id = ? AND destination_id = ? AND end_ms IS NULL')
      .get(cameraId, destinationId) as Raw | undefined;
    if (!open) return null;
    this.db.prepare('UPDATE outages SET end_ms = ? WHERE id = ?').run(endMs, open.id);
    return { ...outage(open), endMs };
  }

  /** Outages still open when the daemon died end when it starts again; the gap is real. */
  closeAllOpen(endMs: number): number {
    return this.db.prepare('UPDATE outages SET end_ms = ? WHERE end_ms IS NULL').run(endMs).changes;
  }

  outages(sinceMs = 0): OutageRow[] {
    return (
      this.db
        .prepare('SELECT * FROM outages WHERE end_ms IS NULL OR end_ms >= ? ORDER BY start_ms')
        .all(sinceMs) as Raw[]
    ).map(outage);
  }

  addLost(l: LostRow): void {
    this.db
      .prepare(
        'INSERT INTO lost (camera_id, destination_id, start_ms, end_ms, reason, detail) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(l.cameraId, l.destinationId, l.startMs, l.endMs, l.reason, l.detail);
  }

  lost(sinceMs = 0): LostRow[] {
    return (
      this.db.prepare('SELECT * FROM lost WHERE end_ms >= ? ORDER BY start_ms').all(sinceMs) as Raw[]
    ).map((r) => ({
      cameraId: r.camera_id as string,
      destinationId: r.destination_id as string | null,
      startMs: r.start_ms as number,
      endMs: r.end_ms as number,
      reason: r.reason as string,
      detail: r.detail as string | null,
    }));
  }

  delivered(segmentId: number, destinationId: string): boolean {
    return !!this.db
      .prepare(
        'SELECT 1 FROM deliveries WHERE segment_id = ? AND destination_id = ? AND delivered_ms IS NOT NULL',
      )
      .get(segmentId, destinationId);
  }
}

/**
 * Ids of segments still owed to a destination with a backfill endpoint, under an outage ended or
 * still open (the same rule as backfill's, see owedFrom). Retention keeps these last.
 */
export function neededSegmentIds(db: Db, destinationIds: string[]): Set<number> {
  if (destinationIds.length === 0) return new Set();
  const marks = destinationIds.map(() => '?').join(', ');
  const rows = db
    .prepare(`SELECT DISTINCT s.id ${owedFrom({ includeOpen: true })} AND o.destination_id IN (${marks})`)
    .all(...destinationIds) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}
