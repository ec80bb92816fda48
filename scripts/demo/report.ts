// The demo's closing summary: cameras found and relayed, and per destination the seconds that
// arrived live (what the ingests recorded), by backfill (what the receivers stored, matched to the
// gateway's segments by SHA-256), still owed and lost (`edge-gateway backlog --json`).
import { mismatchParams } from '../../src/core/codec-fit.ts';
import type { GatewayStatus } from '../../src/core/status.ts';
import type { InventoryCamera } from '../../src/core/inventory.ts';
import { t } from '../../src/i18n/index.ts';
import { openStore } from '../../src/store/db.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { SpoolRepo, type SegmentRow } from '../../src/store/spool.ts';
import type { Receiver } from '../backfill-receiver.ts';
import type { Ingest } from '../../test/ingest/index.ts';

export interface Backlog {
  pending: { cameraId: string; destinationId: string; seconds: number }[];
  lost: { cameraId: string; destinationId: string | null; reason: string; seconds: number }[];
}

export interface DestinationSummary {
  id: string;
  liveSeconds: number;
  backfillSeconds: number;
  backfillSegments: number;
  owedSeconds: number;
  lostSeconds: number;
  /** Segments recorded during this destination's outages that its receiver does not have. */
  outageSegmentsMissing: number;
  outageSegments: number;
}

export interface Summary {
  found: string[];
  relayed: string[];
  notRelayed: { id: string; why: string }[];
  /** A camera and destination the gateway relays but where nothing arrived, with its state. */
  nothingArrived: { camera: string; destination: string; state: string }[];
  /** A camera the gateway does not send to a destination, with why (`status` says the same). */
  notSent: { camera: string; destination: string; reason: string }[];
  outageSeconds: number;
  destinations: DestinationSummary[];
  /** Seconds the local recording itself lost, by camera and reason (`backlog`'s "(recording)" rows). */
  recordingLost: { camera: string; reason: string; seconds: number }[];
  nothingLost: boolean;
}

export function readInventory(dbPath: string): InventoryCamera[] {
  const db = openStore(dbPath, { readonly: true });
  try {
    return new InventoryRepo(db).list();
  } finally {
    db.close();
  }
}

const seconds = (segs: SegmentRow[]) => segs.reduce((s, x) => s + (x.endMs - x.startMs) / 1000, 0);

export async function summarise(o: {
  dbPath: string;
  status: GatewayStatus;
  backlog: Backlog;
  outage: { from: number; to: number };
  destinations: { id: string; ingest: Ingest; receiver: Receiver }[];
  /** What the simulated camera at an address counted: rejected logins, and whether it locked. */
  logins: (address: string) => { failed: number; locked: boolean } | null;
}): Promise<Summary> {
  const inventory = readInventory(o.dbPath);
  const streamed = [...new Set(o.status.streams.map((s) => s.cameraId))];
  const nothingArrived: Summary['nothingArrived'] = [];
  const arrived = new Set<string>();
  const db = openStore(o.dbPath, { readonly: true });
  let segments: SegmentRow[];
  let outages: ReturnType<SpoolRepo['outages']>;
  try {
    const repo = new SpoolRepo(db);
    segments = repo.complete();
    outages = repo.outages(o.outage.from);
  } finally {
    db.close();
  }
  const destinations: DestinationSummary[] = [];
  for (const d of o.destinations) {
    const stored = new Set(
      d.receiver.records.filter((r) => r.status === 200 || r.status === 201).map((r) => r.sha256),
    );
    const backfilled = segments.filter((s) => stored.has(s.sha256));
    let live = 0;
    for (const cam of streamed) {
      const got = (await d.ingest.probe(cam)).durationSeconds;
      live += got;
      if (got > 0) arrived.add(cam);
      const state = o.status.streams.find((x) => x.cameraId === cam)?.destinations.find((x) => x.id === d.id);
      if (got === 0 && state) nothingArrived.push({ camera: cam, destination: d.id, state: state.state });
    }
    const owedSegs = outages
      .filter((x) => x.destinationId === d.id && x.endMs !== null)
      .flatMap((x) =>
        segments.filter((s) => s.cameraId === x.cameraId && s.startMs < x.endMs! && s.endMs > x.startMs),
      );
    destinations.push({
      id: d.id,
      liveSeconds: Math.round(live),
      backfillSeconds: Math.round(seconds(backfilled)),
      backfillSegments: backfilled.length,
      owedSeconds: o.backlog.pending
        .filter((p) => p.destinationId === d.id)
        .reduce((s, p) => s + p.seconds, 0),
      lostSeconds: o.backlog.lost.filter((l) => l.destinationId === d.id).reduce((s, l) => s + l.seconds, 0),
      outageSegments: owedSegs.length,
      outageSegmentsMissing: owedSegs.filter((s) => !stored.has(s.sha256)).length,
    });
  }
  // A camera's first seconds before it first recorded are accounted as `starting`: not video lost.
  const recordingLost = o.backlog.lost
    .filter((l) => l.destinationId === null && l.reason !== 'starting')
    .map((l) => ({ camera: l.cameraId, reason: l.reason, seconds: l.seconds }));
  const relayed = streamed.filter((c) => arrived.has(c));
  return {
    found: inventory.map((c) => c.id),
    relayed,
    notRelayed: inventory
      .filter((c) => !relayed.includes(c.id))
      .map((c) => ({ id: c.id, why: reason(c, o.logins(c.address ?? '')) })),
    nothingArrived,
    notSent: o.status.unsent.map((u) => ({
      camera: u.cameraId,
      destination: u.destinationId,
      reason: t('relay.unsent.codec', mismatchParams(u.reason)),
    })),
    outageSeconds: Math.round((o.outage.to - o.outage.from) / 1000),
    destinations,
    recordingLost,
    nothingLost:
      recordingLost.length === 0 &&
      destinations.every((d) => d.lostSeconds === 0 && d.owedSeconds === 0 && d.outageSegmentsMissing === 0),
  };
}

/** Why the gateway does not relay a camera, in the user's language when the failure is a known one. */
function reason(c: InventoryCamera, logins: { failed: number; locked: boolean } | null): string {
  const e = c.lastError ?? '';
  if (e.startsWith('auth:') && logins)
    return t(logins.locked ? 'demo.why.authLocked' : 'demo.why.auth', { attempts: logins.failed });
  if (e.startsWith('connect:') || e.startsWith('tcp:'))
    return t('demo.why.offline', { address: c.address ?? '?' });
  return e || t('demo.summary.noStream');
}

export function summaryLines(s: Summary): string[] {
  const lines = [
    t('demo.summary.title'),
    t('demo.summary.cameras', {
      found: s.found.length,
      relayed: s.relayed.length,
      ids: s.relayed.join(', '),
    }),
    ...s.notRelayed.map((n) => t('demo.summary.notRelayed', { id: n.id, why: n.why })),
    ...s.notSent.map((n) => t('demo.notSent', n)),
    ...s.nothingArrived.map((n) => t('demo.summary.nothingArrived', n)),
    ...s.destinations.map((d) =>
      t('demo.summary.destination', {
        id: d.id,
        live: d.liveSeconds,
        backfill: d.backfillSeconds,
        segments: d.backfillSegments,
        owed: d.owedSeconds,
        lost: d.lostSeconds,
      }),
    ),
  ];
  for (const l of s.recordingLost)
    lines.push(t('demo.summary.recordingLost', { ...l, seconds: Math.round(l.seconds * 10) / 10 }));
  if (s.nothingLost) {
    lines.push(t('demo.summary.nothingLost', { seconds: s.outageSeconds }));
  } else {
    for (const d of s.destinations.filter(
      (x) => x.outageSegmentsMissing > 0 || x.lostSeconds > 0 || x.owedSeconds > 0,
    ))
      lines.push(
        t('demo.summary.notAll', {
          id: d.id,
          missing: d.outageSegmentsMissing,
          total: d.outageSegments,
          owed: d.owedSeconds,
          lost: d.lostSeconds,
        }),
      );
  }
  return lines;
}
