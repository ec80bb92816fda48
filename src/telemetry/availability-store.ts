// Destination state changes kept for availability, and the daily reports (migration 2).
import type { Db } from '../store/db.ts';
import { liveSeconds, share, type Change, type DestinationAvailability } from './availability.ts';

export interface AvailabilityReport {
  cameraId: string;
  from: string;
  to: string;
  destinations: DestinationAvailability[];
}

interface StateRow {
  camera_id: string;
  destination_id: string;
  up: number;
  at: string;
}

export class AvailabilityStore {
  constructor(private readonly db: Db) {}

  record(cameraId: string, destinationId: string, up: boolean, at: string): void {
    this.db
      .prepare('INSERT INTO destination_states (camera_id, destination_id, up, at) VALUES (?, ?, ?, ?)')
      .run(cameraId, destinationId, up ? 1 : 0, at);
  }

  /**
   * After a crash or power cut the last recorded state of a live destination is still "up":
   * close it at the last moment the daemon is known to have been alive.
   */
  closeOpen(at: string): number {
    const open = this.db
      .prepare(
        `SELECT s.* FROM destination_states s
           JOIN (SELECT camera_id, destination_id, max(rowid) AS r FROM destination_states
                 GROUP BY camera_id, destination_id) l ON s.rowid = l.r
          WHERE s.up = 1`,
      )
      .all() as StateRow[];
    for (const r of open) this.record(r.camera_id, r.destination_id, false, at < r.at ? r.at : at);
    return open.length;
  }

  /** One report per camera over [from, to), for every destination seen in or before it. */
  reports(from: Date, to: Date): AvailabilityReport[] {
    const f = from.toISOString();
    const t = to.toISOString();
    const pairs = this.db
      .prepare('SELECT DISTINCT camera_id, destination_id FROM destination_states WHERE at < ? ORDER BY 1, 2')
      .all(t) as { camera_id: string; destination_id: string }[];
    const before = this.db.prepare(
      'SELECT up FROM destination_states WHERE camera_id = ? AND destination_id = ? AND at < ? ORDER BY at DESC, rowid DESC LIMIT 1',
    );
    const inside = this.db.prepare(
      'SELECT up, at FROM destination_states WHERE camera_id = ? AND destination_id = ? AND at >= ? AND at < ? ORDER BY at, rowid',
    );
    const windowSeconds = Math.round((to.getTime() - from.getTime()) / 1000);
    const byCamera = new Map<string, DestinationAvailability[]>();
    for (const p of pairs) {
      const b = before.get(p.camera_id, p.destination_id, f) as { up: number } | undefined;
      const changes = (inside.all(p.camera_id, p.destination_id, f, t) as { up: number; at: string }[]).map(
        (c): Change => ({ up: c.up === 1, atMs: Date.parse(c.at) }),
      );
      const live = liveSeconds(b ? b.up === 1 : null, changes, from.getTime(), to.getTime());
      const list = byCamera.get(p.camera_id) ?? [];
      list.push({ id: p.destination_id, liveSeconds: live, share: share(live, windowSeconds) });
      byCamera.set(p.camera_id, list);
    }
    return [...byCamera].map(([cameraId, destinations]) => ({ cameraId, from: f, to: t, destinations }));
  }

  /** The daily run: reports over the 24 h before `now`, each kept under the UTC day of `now`. */
  daily(now: Date): { day: string; reports: AvailabilityReport[] } {
    const day = now.toISOString().slice(0, 10);
    const reports = this.reports(new Date(now.getTime() - 86_400_000), now);
    for (const r of reports) this.saveReport(day, r);
    return { day, reports };
  }

  saveReport(day: string, report: AvailabilityReport): void {
    this.db
      .prepare(
        `INSERT INTO availability_reports (day, camera_id, report) VALUES (?, ?, ?)
         ON CONFLICT (day, camera_id) DO UPDATE SET report = excluded.report`,
      )
      .run(day, report.cameraId, JSON.stringify(report));
  }

  savedReports(day: string): AvailabilityReport[] {
    return (
      this.db
        .prepare('SELECT report FROM availability_reports WHERE day = ? ORDER BY camera_id')
        .all(day) as {
        report: string;
      }[]
    ).map((r) => JSON.parse(r.report) as AvailabilityReport);
  }
}
