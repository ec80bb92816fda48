// Telemetry's SQLite tables (migration 2): the session counter, the liveness mark and the outbox.
// Uses the store's connection; better-sqlite3 itself stays behind src/store.
import type { Db } from '../store/db.ts';

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  createdAt: string;
  session: number;
  offline: boolean;
}

interface RawRow {
  seq: number;
  topic: string;
  payload: string;
  created_at: string;
  session: number;
  offline: number;
}

/** Outbox rows beyond this are dropped oldest first, and counted, so a months-long outage cannot fill the disk. */
export const OUTBOX_LIMIT = 50_000;

export class TelemetryStore {
  constructor(private readonly db: Db) {}

  /** The session number of this start: one more than the last, persisted before it is used. */
  nextSession(): number {
    return this.db.transaction(() => {
      const next = Number(this.get('session') ?? '0') + 1;
      this.set('session', String(next));
      return next;
    })();
  }

  get(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM telemetry_kv WHERE key = ?').get(key) as
      { value: string } | undefined;
    return r?.value ?? null;
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO telemetry_kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** Appends a message; returns its sequence number (increasing, never reused). */
  enqueue(topic: string, payload: string, session: number, offline: boolean, at = new Date()): number {
    const r = this.db
      .prepare(
        'INSERT INTO telemetry_outbox (topic, payload, created_at, session, offline) VALUES (?, ?, ?, ?, ?)',
      )
      .run(topic, payload, at.toISOString(), session, offline ? 1 : 0);
    return Number(r.lastInsertRowid);
  }

  /** Drops the oldest rows above the limit; returns how many went. */
  trim(limit = OUTBOX_LIMIT): number {
    const r = this.db
      .prepare(
        'DELETE FROM telemetry_outbox WHERE seq <= (SELECT seq FROM telemetry_outbox ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      )
      .run(limit);
    return r.changes;
  }

  oldest(): OutboxRow | null {
    const r = this.db.prepare('SELECT * FROM telemetry_outbox ORDER BY seq LIMIT 1').get() as
      RawRow | undefined;
    return r
      ? {
          seq: r.seq,
          topic: r.topic,
          payload: r.payload,
          createdAt: r.created_at,
          session: r.session,
          offline: r.offline === 1,
        }
      : null;
  }

  remove(seq: number): void {
    this.db.prepare('DELETE FROM telemetry_outbox WHERE seq = ?').run(seq);
  }

  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM telemetry_outbox').get() as { n: number }).n;
  }
}
