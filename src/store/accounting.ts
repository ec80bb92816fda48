// The SQL of the accounting of every second (issue 15 item 4): when each camera was first
// configured, the recording gap still open per camera (persisted so its start and reason survive
// a restart), and the spans `edge-gateway backlog` sums (src/core/accounting.ts).
import { owedFrom } from './backfill-queue.ts';
import type { Db } from './db.ts';

export interface OpenGap {
  cameraId: string;
  sinceMs: number;
  reason: string;
  detail: string | null;
}

interface Span {
  startMs: number;
  endMs: number;
}

type Raw = Record<string, number | string | null>;
const span = (r: Raw): Span => ({ startMs: r.start_ms as number, endMs: r.end_ms as number });

export class AccountingRepo {
  constructor(private readonly db: Db) {}

  /** Records when a camera was first configured; returns that time (an earlier one is kept). */
  configured(cameraId: string, nowMs: number): number {
    this.db
      .prepare('INSERT INTO cameras_configured (camera_id, since_ms) VALUES (?, ?) ON CONFLICT DO NOTHING')
      .run(cameraId, nowMs);
    return (
      this.db.prepare('SELECT since_ms FROM cameras_configured WHERE camera_id = ?').get(cameraId) as {
        since_ms: number;
      }
    ).since_ms;
  }

  configuredSince(): Map<string, number> {
    const rows = this.db.prepare('SELECT camera_id, since_ms FROM cameras_configured').all() as Raw[];
    return new Map(rows.map((r) => [r.camera_id as string, r.since_ms as number]));
  }

  /** The first reason wins: a gap already open keeps its start and reason. */
  openGap(g: OpenGap): void {
    this.db
      .prepare(
        'INSERT INTO recording_gaps (camera_id, since_ms, reason, detail) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(g.cameraId, g.sinceMs, g.reason, g.detail);
  }

  closeGap(cameraId: string): void {
    this.db.prepare('DELETE FROM recording_gaps WHERE camera_id = ?').run(cameraId);
  }

  gap(cameraId: string): OpenGap | null {
    const r = this.db.prepare('SELECT * FROM recording_gaps WHERE camera_id = ?').get(cameraId) as
      Raw | undefined;
    return r
      ? {
          cameraId,
          sinceMs: r.since_ms as number,
          reason: r.reason as string,
          detail: r.detail as string | null,
        }
      : null;
  }

  /** Every (camera, destination) pair the relay ever judged or the ledger ever held an outage of. */
  knownPairs(): { cameraId: string; destinationId: string }[] {
    return (
      this.db
        .prepare(
          `SELECT camera_id, destination_id FROM destination_states
           UNION SELECT camera_id, destination_id FROM outages ORDER BY 1, 2`,
        )
        .all() as Raw[]
    ).map((r) => ({ cameraId: r.camera_id as string, destinationId: r.destination_id as string }));
  }

  /** When the relay first judged the pair (its first state change or outage), or null if never. */
  firstJudged(cameraId: string, destinationId: string): number | null {
    const pair = 'WHERE camera_id = ? AND destination_id = ?';
    const state = this.db
      .prepare(`SELECT MIN(at) AS at FROM destination_states ${pair}`)
      .get(cameraId, destinationId) as { at: string | null };
    const outage = this.db
      .prepare(`SELECT MIN(start_ms) AS s FROM outages ${pair}`)
      .get(cameraId, destinationId) as { s: number | null };
    const times = [state.at === null ? null : Date.parse(state.at), outage.s].filter((t) => t !== null);
    return times.length > 0 ? Math.min(...times) : null;
  }

  /** Where the camera's recording last ended before now (any state: evicted video was recorded). */
  lastRecordedEnd(cameraId: string): number | null {
    const r = this.db
      .prepare(
        `SELECT MAX(e) AS e FROM (SELECT MAX(end_ms) AS e FROM segments WHERE camera_id = @c
         UNION ALL SELECT MAX(end_ms) FROM recorded_spans WHERE camera_id = @c)`,
      )
      .get({ c: cameraId }) as { e: number | null };
    return r.e;
  }

  /** Every segment ever recorded for the camera, whatever became of it since (folded ones as spans). */
  recorded(cameraId: string): Span[] {
    return (
      this.db
        .prepare(
          `SELECT start_ms, end_ms FROM segments WHERE camera_id = @c
           UNION ALL SELECT start_ms, end_ms FROM recorded_spans WHERE camera_id = @c`,
        )
        .all({ c: cameraId }) as Raw[]
    ).map(span);
  }

  /** Segments of the camera a destination's backfill endpoint stored. */
  backfilled(cameraId: string, destinationId: string): Span[] {
    return (
      this.db
        .prepare(
          `SELECT s.start_ms, s.end_ms FROM segments s JOIN deliveries d ON d.segment_id = s.id
           WHERE s.camera_id = @c AND d.destination_id = @d AND d.delivered_ms IS NOT NULL
           UNION ALL SELECT start_ms, end_ms FROM delivered_spans WHERE camera_id = @c AND destination_id = @d`,
        )
        .all({ c: cameraId, d: destinationId }) as Raw[]
    ).map(span);
  }

  /** Segments still owed to a destination, under outages ended or still open (backfill's rule). */
  owed(cameraId: string, destinationId: string): Span[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT s.id, s.start_ms, s.end_ms ${owedFrom({ includeOpen: true })}
           AND o.camera_id = ? AND o.destination_id = ?`,
        )
        .all(cameraId, destinationId) as Raw[]
    ).map(span);
  }

  /** When the relay judged the destination live: from each up to the next change (an open one to `nowMs`). */
  up(cameraId: string, destinationId: string, nowMs: number): Span[] {
    const rows = this.db
      .prepare(
        'SELECT up, at FROM destination_states WHERE camera_id = ? AND destination_id = ? ORDER BY at, rowid',
      )
      .all(cameraId, destinationId) as { up: number; at: string }[];
    const out: Span[] = [];
    let since: number | null = null;
    for (const r of rows) {
      const at = Date.parse(r.at);
      if (since !== null) out.push({ startMs: since, endMs: at });
      since = r.up === 1 ? at : null;
    }
    if (since !== null) out.push({ startMs: since, endMs: nowMs });
    return out;
  }
}
