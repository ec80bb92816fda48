// Segments whose file is gone (evicted by retention, found missing) folded into spans. What the
// accounting needs of them is when they were recorded and when each destination got them back,
// not a row each: without folding, the index grows by a row per camera every segment for the life
// of the box (about 300 bytes a row with its indexes: some 100 MB a day at 16 cameras, see
// docs/backfill.md) and every `backlog` and start reads them all. Touching or overlapping
// segments merge into one span; a hole stays a hole, so the accounting's sums do not change.
import type { Db } from './db.ts';

/**
 * Rows folded per transaction: about 20 ms here (a box upgraded from a version that kept every
 * row has millions; its caller yields to the event loop between batches).
 */
export const FOLD_BATCH = 1000;

export interface Folded {
  segments: number;
  /** Spans written or grown. */
  spans: number;
  /** Rows still to fold: stopped at maxRows. */
  more: boolean;
}

interface GoneRow {
  id: number;
  camera_id: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
}

interface Piece {
  key: string;
  cameraId: string;
  destinationId: string | null;
  bootId: string | null;
  startMs: number;
  endMs: number;
  segments: number;
  bytes: number;
}

/** Folds the segments no longer on disk, up to maxRows of them (whole batches). */
export function foldGoneSegments(db: Db, maxRows = Infinity): Folded {
  const epoch = db.prepare('SELECT boot_id, first_segment FROM clock_epoch').get() as
    { boot_id: string; first_segment: number } | undefined;
  // Rows of this boot keep their boot, so a clock step still re-dates them (clock-epoch.ts).
  const bootOf = (id: number) => (epoch && id >= epoch.first_segment ? epoch.boot_id : null);
  const selectGone = db.prepare(
    `SELECT id, camera_id, start_ms, end_ms, bytes FROM segments WHERE state <> 'complete'
     ORDER BY camera_id, start_ms LIMIT ${FOLD_BATCH}`,
  );
  const selectDelivered = db.prepare(
    `SELECT segment_id, destination_id FROM deliveries
     WHERE delivered_ms IS NOT NULL AND segment_id IN (SELECT value FROM json_each(?))`,
  );
  const deleteDeliveries = db.prepare(
    'DELETE FROM deliveries WHERE segment_id IN (SELECT value FROM json_each(?))',
  );
  const deleteSegments = db.prepare('DELETE FROM segments WHERE id IN (SELECT value FROM json_each(?))');
  const total: Folded = { segments: 0, spans: 0, more: false };
  for (;;) {
    if (total.segments >= maxRows) return { ...total, more: true };
    const done = db.transaction((): boolean => {
      const rows = selectGone.all() as GoneRow[];
      if (rows.length === 0) return true;
      const ids = JSON.stringify(rows.map((r) => r.id));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const recorded = rows.map((r) => piece(r, null, bootOf(r.id)));
      const delivered = (selectDelivered.all(ids) as { segment_id: number; destination_id: string }[]).map(
        (d) => piece(byId.get(d.segment_id)!, d.destination_id, bootOf(d.segment_id)),
      );
      const spans = [...merge(recorded), ...merge(delivered)];
      for (const p of spans) writeSpan(db, p);
      deleteDeliveries.run(ids);
      deleteSegments.run(ids);
      total.segments += rows.length;
      total.spans += spans.length;
      return rows.length < FOLD_BATCH;
    })();
    if (done) return total;
  }
}

function piece(r: GoneRow, destinationId: string | null, bootId: string | null): Piece {
  return {
    key: `${r.camera_id}\0${destinationId ?? ''}\0${bootId ?? ''}`,
    cameraId: r.camera_id,
    destinationId,
    bootId,
    startMs: r.start_ms,
    endMs: r.end_ms,
    segments: 1,
    bytes: r.bytes,
  };
}

/** Touching or overlapping pieces of the same camera, destination and boot, as one. */
function merge(pieces: Piece[]): Piece[] {
  const sorted = [...pieces].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.startMs - b.startMs));
  const out: Piece[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && last.key === p.key && p.startMs <= last.endMs) {
      last.endMs = Math.max(last.endMs, p.endMs);
      last.segments += p.segments;
      last.bytes += p.bytes;
    } else out.push({ ...p });
  }
  return out;
}

/**
 * Writes a span, joined with the spans already folded that it touches (an earlier batch, a hole
 * filled since). Recorded spans (no destination) also keep how many segments and bytes they fold.
 */
function writeSpan(db: Db, p: Piece): void {
  const recorded = p.destinationId === null;
  const table = recorded ? 'recorded_spans' : 'delivered_spans';
  const pair = recorded
    ? 'camera_id = @cameraId'
    : 'camera_id = @cameraId AND destination_id = @destinationId';
  // Named parameters: each statement takes the ones it names (key, and the others, are ignored).
  const near = db
    .prepare(
      `SELECT id, start_ms, end_ms${recorded ? ', segments, bytes' : ''} FROM ${table}
       WHERE ${pair} AND boot_id IS @bootId AND end_ms >= @startMs AND start_ms <= @endMs`,
    )
    .all(p) as { id: number; start_ms: number; end_ms: number; segments?: number; bytes?: number }[];
  const del = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
  for (const n of near) del.run(n.id);
  db.prepare(
    recorded
      ? `INSERT INTO recorded_spans (camera_id, boot_id, start_ms, end_ms, segments, bytes)
         VALUES (@cameraId, @bootId, @startMs, @endMs, @segments, @bytes)`
      : `INSERT INTO delivered_spans (camera_id, destination_id, boot_id, start_ms, end_ms)
         VALUES (@cameraId, @destinationId, @bootId, @startMs, @endMs)`,
  ).run({
    ...p,
    startMs: Math.min(p.startMs, ...near.map((n) => n.start_ms)),
    endMs: Math.max(p.endMs, ...near.map((n) => n.end_ms)),
    segments: near.reduce((s, n) => s + (n.segments ?? 0), p.segments),
    bytes: near.reduce((s, n) => s + (n.bytes ?? 0), p.bytes),
  });
}
