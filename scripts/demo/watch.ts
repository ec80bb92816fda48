// What the demo prints while it runs: one line every few seconds from the gateway's status socket
// and the outage ledger in its store, read the way `status` and `backlog` read them.
import type { GatewayStatus } from '../../src/core/status.ts';
import { t } from '../../src/i18n/index.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo, type OutageRow } from '../../src/store/spool.ts';

export const clock = (ms = Date.now()) => new Date(ms).toTimeString().slice(0, 8);

export interface Counts {
  live: number;
  destinations: number;
  recording: number;
  streams: number;
  owedSeconds: number;
}

export function counts(s: GatewayStatus): Counts {
  const dests = s.streams.flatMap((x) => x.destinations);
  return {
    live: dests.filter((d) => d.state === 'live').length,
    destinations: dests.length,
    recording: s.streams.filter((x) => x.recording?.state === 'live').length,
    streams: s.streams.length,
    owedSeconds: Math.round(s.backfill?.pendingSeconds ?? 0),
  };
}

export function tickLine(s: GatewayStatus): string {
  const c = counts(s);
  return t('demo.tick', {
    time: clock(),
    live: c.live,
    total: c.destinations,
    recording: c.recording,
    streams: c.streams,
    owed: c.owedSeconds,
  });
}

/** Outages opened or closed since the last call, as lines for the user. */
export class OutageWatch {
  private seen = new Map<number, OutageRow>();

  constructor(
    private readonly dbPath: string,
    private readonly sinceMs: number,
  ) {}

  lines(): string[] {
    let rows: OutageRow[];
    try {
      const db = openStore(this.dbPath, { readonly: true });
      try {
        rows = new SpoolRepo(db).outages(this.sinceMs);
      } finally {
        db.close();
      }
    } catch {
      return []; // the daemon may be migrating or checkpointing: next time
    }
    const out: string[] = [];
    for (const o of rows) {
      const before = this.seen.get(o.id);
      this.seen.set(o.id, o);
      const cause = t(`demo.cause.${o.cause}`);
      const p = { camera: o.cameraId, destination: o.destinationId, cause, since: clock(o.startMs) };
      if (!before) out.push(t('demo.outage.open', { time: clock(), ...p }));
      if (o.endMs !== null && before?.endMs !== o.endMs)
        out.push(
          t('demo.outage.closed', {
            time: clock(),
            ...p,
            seconds: Math.round((o.endMs - o.startMs) / 1000),
          }),
        );
    }
    return out;
  }
}
