// The index of a box that ran for weeks: segments whose files retention deleted are folded into
// spans, the index stops growing with the box's age, and the accounting reads the same seconds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coveredMs, union } from '../../src/core/intervals.ts';
import { AccountingRepo } from '../../src/store/accounting.ts';
import { BackfillQueue } from '../../src/store/backfill-queue.ts';
import { ClockEpochRepo } from '../../src/store/clock-epoch.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { foldGoneSegments } from '../../src/store/segment-folding.ts';
import { SpoolRepo } from '../../src/store/spool.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  dbs.splice(0).forEach((d) => d.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const SEG = 4000;
const T0 = Date.UTC(2026, 10, 1);

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'egw-fold-'));
  dirs.push(dir);
  const path = join(dir, 'g.db');
  const db = openStore(path);
  dbs.push(db);
  return { db, path, repo: new SpoolRepo(db), acc: new AccountingRepo(db), queue: new BackfillQueue(db) };
}

/** `n` segments of `cam` from `fromIndex`, back to back except where `holes` says; their ids. */
function record(
  repo: SpoolRepo,
  cam: string,
  fromIndex: number,
  n: number,
  holes = new Set<number>(),
): number[] {
  const rows = [];
  for (let i = fromIndex; i < fromIndex + n; i++) {
    if (holes.has(i)) continue;
    rows.push({
      cameraId: cam,
      path: `/spool/${cam}/${T0 + i * SEG}.ts`,
      startMs: T0 + i * SEG,
      endMs: T0 + (i + 1) * SEG,
      bytes: 2_000_000,
      sha256: 'a'.repeat(64),
      recovered: false,
    });
  }
  repo.addSegments(rows);
  return repo
    .complete(cam)
    .filter((s) => s.startMs >= T0 + fromIndex * SEG && s.startMs < T0 + (fromIndex + n) * SEG)
    .map((s) => s.id);
}

const seconds = (spans: { startMs: number; endMs: number }[]) => coveredMs(union(spans)) / 1000;
const rows = (db: Db, table: string) =>
  (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('folding the segments whose file is gone', () => {
  it('keeps every recorded and delivered second while the rows go', () => {
    const { db, repo, acc, queue } = store();
    // Two cameras, a day of 4 s segments each, with a 40 s hole (a camera outage) in cam-a.
    const holes = new Set([5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009]);
    const a = record(repo, 'cam-a', 0, 21_600, holes);
    const b = record(repo, 'cam-b', 0, 21_600);
    // national got back an hour of cam-a by backfill; ioc a minute.
    a.slice(1000, 1900).forEach((id) => queue.recordDelivered(id, 'national', T0));
    a.slice(3000, 3015).forEach((id) => queue.recordDelivered(id, 'ioc', T0));
    // Retention deleted all but the last hour; one older file was found missing.
    db.transaction(() => {
      for (const id of [...a.slice(0, -900), ...b.slice(0, -900)]) repo.setState(id, 'evicted');
    })();
    repo.setState(a.at(-1)!, 'missing');
    const before = {
      a: seconds(acc.recorded('cam-a')),
      b: seconds(acc.recorded('cam-b')),
      national: seconds(acc.backfilled('cam-a', 'national')),
      ioc: seconds(acc.backfilled('cam-a', 'ioc')),
      lastEnd: acc.lastRecordedEnd('cam-a'),
    };
    expect(before.a).toBe(21_590 * 4);

    const folded = foldGoneSegments(db);

    expect(folded.segments).toBe(21_590 + 21_600 - 1800 + 1);
    expect(rows(db, 'segments')).toBe(1799);
    expect(rows(db, 'deliveries')).toBe(0);
    // The hole stays a hole: cam-a before it, after it, and its missing last segment after the
    // hour still on disk; cam-b in one span.
    expect(rows(db, 'recorded_spans')).toBe(4);
    expect(rows(db, 'delivered_spans')).toBe(2);
    expect({
      a: seconds(acc.recorded('cam-a')),
      b: seconds(acc.recorded('cam-b')),
      national: seconds(acc.backfilled('cam-a', 'national')),
      ioc: seconds(acc.backfilled('cam-a', 'ioc')),
      lastEnd: acc.lastRecordedEnd('cam-a'),
    }).toEqual(before);
  });

  it('joins later passes to the spans of earlier ones, so a span per outage remains, not per pass', () => {
    const { db, repo, acc } = store();
    const ids = record(repo, 'cam-a', 0, 3000);
    // Hourly passes each evicting the next 900 segments.
    for (let pass = 0; pass < 3; pass++) {
      for (const id of ids.slice(pass * 900, (pass + 1) * 900)) repo.setState(id, 'evicted');
      foldGoneSegments(db);
    }
    expect(rows(db, 'recorded_spans')).toBe(1);
    const span = db.prepare('SELECT * FROM recorded_spans').get() as Record<string, number>;
    expect(span).toMatchObject({
      start_ms: T0,
      end_ms: T0 + 2700 * SEG,
      segments: 2700,
      bytes: 2700 * 2_000_000,
    });
    expect(seconds(acc.recorded('cam-a'))).toBe(3000 * 4);
  });

  it('stops the index growing with the age of the box', () => {
    const { db, path, repo } = store();
    const sizes: number[] = [];
    // Seven "days" of two cameras, retention keeping the last one, a fold pass each day.
    for (let day = 0; day < 7; day++) {
      record(repo, 'cam-a', day * 5000, 5000);
      record(repo, 'cam-b', day * 5000, 5000);
      const old = db
        .prepare("SELECT id FROM segments WHERE state = 'complete' AND end_ms <= ?")
        .all(T0 + day * 5000 * SEG) as { id: number }[];
      db.transaction(() => old.forEach(({ id }) => repo.setState(id, 'evicted')))();
      foldGoneSegments(db);
      db.pragma('wal_checkpoint(TRUNCATE)');
      sizes.push(statSync(path).size);
    }
    // Freed pages are reused: after the second day the file no longer grows by a day of rows.
    const dayOfRows = sizes[0]!;
    expect(sizes.at(-1)! - sizes[1]!).toBeLessThan(dayOfRows / 4);
    expect(rows(db, 'recorded_spans')).toBe(2);
  });

  it('re-dates the spans of this boot with its segments when the clock steps, and no others', () => {
    const { db, repo, acc } = store();
    const earlier = record(repo, 'cam-a', 0, 100);
    const clock = new ClockEpochRepo(db);
    const epoch = clock.begin('boot-2', T0 + 200 * SEG, 0);
    const now = record(repo, 'cam-a', 200, 100);
    for (const id of [...earlier, ...now.slice(0, 50)]) repo.setState(id, 'evicted');
    foldGoneSegments(db);
    expect(rows(db, 'recorded_spans')).toBe(2);
    clock.shift(epoch, 86_400_000, 1000);
    const spans = union(acc.recorded('cam-a'));
    expect(spans).toEqual([
      { startMs: T0, endMs: T0 + 100 * SEG },
      { startMs: T0 + 200 * SEG + 86_400_000, endMs: T0 + 300 * SEG + 86_400_000 },
    ]);
  });

  it('a delivery finished after its segment was evicted and folded is dropped, not an error', () => {
    const { db, repo, queue } = store();
    const [id] = record(repo, 'cam-a', 0, 1);
    repo.setState(id!, 'evicted');
    foldGoneSegments(db);
    expect(queue.recordDelivered(id!, 'national', T0)).toBe(0);
    expect(queue.recordFailure(id!, 'national', 'reset')).toBe(0);
    expect(rows(db, 'deliveries')).toBe(0);
  });
});
