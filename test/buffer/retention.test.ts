// Retention on real files and a real index: the quota reached with undelivered segments present.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Recording } from '../../src/buffer/recording.ts';
import { validateConfig } from '../../src/config/load.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import { FOLD_BATCH } from '../../src/store/segment-folding.ts';
import { AccountingRepo } from '../../src/store/accounting.ts';
import { coveredMs, union } from '../../src/core/intervals.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  dbs.splice(0).forEach((d) => d.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const MB = 1024 * 1024;

function setup(maxGb: number) {
  const dir = mkdtempSync(join(tmpdir(), 'egw-ret-'));
  dirs.push(dir);
  const cfg = validateConfig(
    {
      site: { id: 's', name: 'S' },
      destinations: [
        {
          id: 'national',
          url: 'rtmp://127.0.0.1:1/live/{cameraId}',
          backfill: { url: 'http://127.0.0.1:1/{cameraId}/{start}' },
        },
        { id: 'ioc', url: 'rtmp://127.0.0.1:2/live/{cameraId}' },
      ],
      recording: { dir: join(dir, 'spool'), maxGb, minFreeMb: 0 },
      store: { path: join(dir, 'g.db') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
    },
    'test',
  );
  const db = openStore(cfg.store.path);
  dbs.push(db);
  const repo = new SpoolRepo(db);
  mkdirSync(join(dir, 'spool', 'cam'), { recursive: true });
  const now = Date.now();
  // Ten 1 MB segments, oldest first, one every 4 s.
  const segs = Array.from({ length: 10 }, (_, i) => {
    const path = join(dir, 'spool', 'cam', `s-${i}.ts`);
    writeFileSync(path, Buffer.alloc(MB, i));
    const startMs = now - (10 - i) * 4000;
    repo.addSegment({
      cameraId: 'cam',
      path,
      startMs,
      endMs: startMs + 4000,
      bytes: MB,
      sha256: 'x'.repeat(64),
      recovered: false,
    });
    return path;
  });
  // national (with backfill) was down over segments 2-4: those are owed to it. ioc has no backfill.
  repo.openOutage('cam', 'national', 'uplink', now - 8 * 4000 + 100);
  repo.closeOutage('cam', 'national', now - 5 * 4000 - 100);
  repo.openOutage('cam', 'ioc', 'destination', now - 9 * 4000);
  const recording = new Recording({ cfg, db, logger: silentLogger, events: new EventBus() });
  return { repo, segs, recording, db };
}

describe('retention', () => {
  it('deletes segments nobody is owed first, oldest first, and keeps the undelivered ones', () => {
    const { repo, segs, recording, db } = setup(6 / 1024);
    expect(recording.enforceRetention()).toBe(4);
    expect(segs.map(existsSync)).toEqual([false, false, true, true, true, false, false, true, true, true]);
    expect(repo.lost()).toEqual([]);
    // The evicted segments left the index as spans of what was recorded: the same 40 s.
    expect(repo.complete()).toHaveLength(6);
    expect(new SpoolRepo(db).knownPaths().size).toBe(6);
    expect(coveredMs(union(new AccountingRepo(db).recorded('cam')))).toBe(40_000);
  });

  it('deletes undelivered segments only when nothing else is left, and accounts each as lost', () => {
    const { repo, segs, recording } = setup(1 / 1024);
    expect(recording.enforceRetention()).toBe(9);
    // Every unneeded segment goes, even the newest; then the oldest owed ones until under quota.
    expect(segs.map(existsSync)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    const lost = repo.lost();
    expect(lost).toHaveLength(2);
    expect(lost.every((l) => l.reason === 'evicted-undelivered' && l.destinationId === null)).toBe(true);
    expect(repo.complete().map((s) => s.path)).toEqual([segs[4]]);
  });

  it('folds at start what an earlier version left as rows, a batch per turn of the event loop', async () => {
    const { repo, recording, db } = setup(1);
    // Rows an earlier version kept for ever: 2.5 batches of evicted segments before the ten.
    const old = Array.from({ length: FOLD_BATCH * 2.5 }, (_, i) => ({
      cameraId: 'cam',
      path: `/gone/cam/${i}.ts`,
      startMs: Date.UTC(2026, 0, 1) + i * 4000,
      endMs: Date.UTC(2026, 0, 1) + (i + 1) * 4000,
      bytes: MB,
      sha256: 'x'.repeat(64),
      recovered: false,
    }));
    repo.addSegments(old);
    db.prepare("UPDATE segments SET state = 'evicted' WHERE path LIKE '/gone/%'").run();
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(Date.now()), 0);
    try {
      await recording.start(new AbortController().signal);
      const gone = () =>
        (db.prepare("SELECT COUNT(*) AS n FROM segments WHERE state <> 'complete'").get() as { n: number }).n;
      // One batch at start, the rest later: the event loop ran in between.
      expect(gone()).toBe(FOLD_BATCH * 1.5);
      const ticksAtStart = ticks.length;
      await vi.waitFor(() => expect(gone()).toBe(0));
      expect(ticks.length).toBeGreaterThan(ticksAtStart);
      expect(repo.complete()).toHaveLength(10);
      expect(coveredMs(union(new AccountingRepo(db).recorded('cam')))).toBe((FOLD_BATCH * 2.5 + 10) * 4000);
    } finally {
      clearInterval(ticker);
      await recording.stop();
    }
  });
});
