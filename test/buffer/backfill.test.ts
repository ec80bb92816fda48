// Backfill over real HTTP to the reference receiver, with a real SQLite spool in a temp dir and
// real segment files: what is owed arrives once, oldest first, with matching hashes; failures
// are retried and recorded; a restart resumes; vanished or changed files are accounted as lost.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver, type ReceiverOptions } from '../../scripts/backfill-receiver.ts';
import { Backfill } from '../../src/buffer/backfill.ts';
import { compactIso } from '../../src/buffer/backfill-url.ts';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { SpoolRepo, type SegmentRow } from '../../src/store/spool.ts';
import { waitFor } from '../support/wait.ts';

const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);
const SEG_MS = 4000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Site {
  dir: string;
  db: Db;
  spool: SpoolRepo;
  rx: Receiver;
  segments(cameraId: string, count: number, bytes?: number): SegmentRow[];
  backfill(opts?: { token?: string; logger?: Logger; more?: Record<string, unknown> }): Backfill;
  deliveries(): {
    segment_id: number;
    destination_id: string;
    delivered_ms: number | null;
    attempts: number;
    last_error: string | null;
  }[];
}

async function site(rxOpts: Partial<ReceiverOptions> = {}): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
  mkdirSync(join(dir, 'rec'));
  const db = openStore(join(dir, 'gw.db'));
  const rx = await startReceiver({ dir: join(dir, 'received'), print: () => undefined, ...rxOpts });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => void db.close());
  cleanup.push(() => rx.close());
  const spool = new SpoolRepo(db);
  return {
    dir,
    db,
    spool,
    rx,
    segments(cameraId, count, bytes = 50_000) {
      return Array.from({ length: count }, (_, i) => {
        const body = randomBytes(bytes);
        const path = join(dir, 'rec', `${cameraId}-${i}.ts`);
        writeFileSync(path, body);
        const row = {
          cameraId,
          path,
          startMs: T0 + i * SEG_MS,
          endMs: T0 + (i + 1) * SEG_MS,
          bytes,
          sha256: createHash('sha256').update(body).digest('hex'),
          recovered: false,
        };
        return { ...row, id: spool.addSegment(row), state: 'complete' as const };
      });
    },
    backfill(o = {}) {
      const cfg: Config = configSchema.parse({
        site: { id: 'site-1', name: 'Test' },
        recording: { dir: join(dir, 'rec') },
        mqtt: { url: 'mqtt://127.0.0.1:1' },
        destinations: [
          {
            id: 'central',
            url: 'rtmp://127.0.0.1:1/live/{cameraId}',
            backfill: {
              url: `${rx.url}/v1/{siteId}/{cameraId}/{start}.ts`,
              ...(o.token ? { token: o.token } : {}),
            },
          },
          { id: 'nobackfill', url: 'rtmp://127.0.0.1:1/live/{cameraId}' },
        ],
        backfill: { retrySeconds: [0.05, 0.1], timeoutSeconds: 0.5 },
        ...o.more,
      });
      const b = new Backfill({ cfg, db, logger: o.logger ?? silentLogger, pollMs: 100 });
      cleanup.push(() => b.stop());
      return b;
    },
    deliveries: () =>
      db.prepare('SELECT * FROM deliveries ORDER BY segment_id').all() as ReturnType<Site['deliveries']>,
  };
}

const stored = (s: Site, cameraId: string, seg: SegmentRow) =>
  join(s.dir, 'received', 'site-1', cameraId, `${compactIso(seg.startMs)}.ts`);
const closedOutage = (s: Site, cameraId: string, dest: string, from: SegmentRow, to: SegmentRow) => {
  s.spool.openOutage(cameraId, dest, 'uplink', from.startMs + 1000);
  s.spool.closeOutage(cameraId, dest, to.endMs - 1000);
};

describe('backfill', () => {
  it('delivers every segment owed for an ended outage, oldest first per camera, with matching hashes', async () => {
    const s = await site();
    const a = s.segments('gate-1', 10);
    const b = s.segments('gate-2', 6);
    closedOutage(s, 'gate-1', 'central', a[2]!, a[7]!);
    closedOutage(s, 'gate-2', 'central', b[0]!, b[5]!);
    const bf = s.backfill();
    await bf.start(new AbortController().signal);
    await waitFor(() => s.deliveries().filter((d) => d.delivered_ms !== null).length === 12, '12 deliveries');

    const owedA = a.slice(2, 8);
    for (const seg of [...owedA, ...b]) {
      const got = readFileSync(stored(s, seg.cameraId, seg));
      expect(createHash('sha256').update(got).digest('hex')).toBe(seg.sha256);
    }
    for (const cam of ['gate-1', 'gate-2']) {
      const starts = s.rx.records.filter((r) => r.cameraId === cam).map((r) => r.start!);
      expect(starts).toEqual([...starts].sort());
      expect(new Set(starts).size).toBe(starts.length);
    }
    expect(s.rx.records.filter((r) => r.cameraId === 'gate-1').map((r) => r.start)).toEqual(
      owedA.map((x) => new Date(x.startMs).toISOString()),
    );
    expect(s.rx.records.every((r) => r.status === 201 && r.path.startsWith('/v1/site-1/'))).toBe(true);
    await waitFor(() => bf.status().pendingSegments === 0, 'pending 0');
    expect(bf.status()).toMatchObject({ delivered: 12, failedAttempts: 0, lost: 0, uploading: false });
  });

  it('sends nothing for an outage still open or to a destination without backfill', async () => {
    const s = await site();
    const a = s.segments('gate-1', 4);
    s.spool.openOutage('gate-1', 'central', 'uplink', a[0]!.startMs);
    closedOutage(s, 'gate-1', 'nobackfill', a[0]!, a[3]!);
    const bf = s.backfill();
    await bf.start(new AbortController().signal);
    // Several polls pass with nothing owed.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.rx.records).toEqual([]);
    expect(bf.status().pendingSegments).toBe(0);
    // The same segments go as soon as the outage ends, and only to central.
    s.spool.closeOutage('gate-1', 'central', a[3]!.endMs);
    bf.kick();
    await waitFor(() => s.rx.records.length === 4, '4 received');
    expect(s.deliveries().map((d) => d.destination_id)).toEqual(Array(4).fill('central'));
  });

  it('counts 500, then a hung receiver, then 201 as one delivery after three attempts', async () => {
    const s = await site({ failFirst: 1, hangFirst: 1 });
    const a = s.segments('gate-1', 2);
    closedOutage(s, 'gate-1', 'central', a[0]!, a[1]!);
    const bf = s.backfill();
    await bf.start(new AbortController().signal);
    await waitFor(() => s.deliveries().filter((d) => d.delivered_ms !== null).length === 2, 'both delivered');
    expect(s.rx.records.map((r) => r.status)).toEqual([500, null, 201, 201]);
    const [first, second] = s.deliveries();
    expect(first).toMatchObject({ segment_id: a[0]!.id, attempts: 3 });
    expect(first!.last_error).toMatch(/no progress for 0.5 s/);
    expect(second).toMatchObject({ segment_id: a[1]!.id, attempts: 1, last_error: null });
    expect(bf.status()).toMatchObject({ delivered: 2, failedAttempts: 2 });
    expect(readFileSync(stored(s, 'gate-1', a[0]!)).length).toBe(a[0]!.bytes);
  });

  it('retries a 401 without marking it delivered and never logs the token', async () => {
    const s = await site({ token: 'the-right-token' });
    const a = s.segments('gate-1', 2);
    closedOutage(s, 'gate-1', 'central', a[0]!, a[1]!);
    let out = '';
    const logger = createLogger({
      level: 'debug',
      destination: { write: (c: string) => ((out += c), true) } as NodeJS.WritableStream,
    });
    const bf = s.backfill({ token: 'wrong-token-9f8e7d', logger });
    await bf.start(new AbortController().signal);
    await waitFor(() => (s.deliveries()[0]?.attempts ?? 0) >= 3, '3 attempts');
    await bf.stop();
    // The pair keeps its order: the second segment waits behind the first.
    expect(s.rx.records.every((r) => r.status === 401)).toBe(true);
    expect(s.deliveries()).toHaveLength(1);
    expect(s.deliveries()[0]?.delivered_ms).toBeNull();
    expect(s.deliveries()[0]?.last_error).toMatch(/^HTTP 401/);
    expect(out).toMatch(/segment upload failed/);
    expect(out).not.toContain('wrong-token-9f8e7d');
    expect(JSON.stringify(bf.status())).not.toContain('wrong-token-9f8e7d');
  });

  it('resumes after a stop half-way without sending again what was recorded as delivered', async () => {
    let stopAt: (() => void) | null = null;
    let stored201 = 0;
    const s = await site({
      print: (line) => {
        if ((JSON.parse(line) as { status: number }).status === 201 && ++stored201 === 4) stopAt?.();
      },
    });
    const a = s.segments('gate-1', 12);
    closedOutage(s, 'gate-1', 'central', a[0]!, a[11]!);
    const first = s.backfill();
    const stopped = new Promise<void>((resolve) => (stopAt = () => void first.stop().then(resolve)));
    await first.start(new AbortController().signal);
    await stopped;
    const deliveredBefore = new Set(
      s
        .deliveries()
        .filter((d) => d.delivered_ms !== null)
        .map((d) => d.segment_id),
    );
    expect(deliveredBefore.size).toBeGreaterThanOrEqual(3);
    expect(deliveredBefore.size).toBeLessThan(12);
    const seen = s.rx.records.length;

    const second = s.backfill();
    await second.start(new AbortController().signal);
    await waitFor(
      () => s.deliveries().filter((d) => d.delivered_ms !== null).length === 12,
      'all 12 delivered',
    );
    const resent = s.rx.records.slice(seen).map((r) => r.start);
    for (const seg of a.filter((x) => deliveredBefore.has(x.id)))
      expect(resent).not.toContain(new Date(seg.startMs).toISOString());
    // At most the one in flight at the stop is sent twice (the receiver answers a repeat with 200).
    expect(s.rx.records.length).toBeLessThanOrEqual(13);
    for (const seg of a) expect(readFileSync(stored(s, 'gate-1', seg)).length).toBe(seg.bytes);
  });

  it('accounts a vanished file as missing and a changed one as corrupt, and does not retry them', async () => {
    const s = await site();
    const a = s.segments('gate-1', 3);
    closedOutage(s, 'gate-1', 'central', a[0]!, a[2]!);
    unlinkSync(a[1]!.path);
    writeFileSync(a[2]!.path, randomBytes(a[2]!.bytes));
    const bf = s.backfill();
    await bf.start(new AbortController().signal);
    await waitFor(() => bf.status().lost === 2 && bf.status().delivered === 1, 'one delivered, two lost');
    await new Promise((r) => setTimeout(r, 300));
    await bf.stop();
    expect(s.rx.records).toHaveLength(1);
    expect(s.spool.lost().map((l) => [l.startMs, l.destinationId, l.reason])).toEqual([
      [a[1]!.startMs, 'central', 'missing'],
      [a[2]!.startMs, 'central', 'corrupt'],
    ]);
    expect(s.spool.complete().map((x) => x.id)).toEqual([a[0]!.id, a[2]!.id]);
    expect(s.deliveries().map((d) => d.last_error?.split(':')[0] ?? null)).toEqual([null, 'lost', 'lost']);

    const again = s.backfill();
    await again.start(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.status()).toMatchObject({ pendingSegments: 0, lost: 0 });
    expect(s.spool.lost()).toHaveLength(2);
  });

  it('lets a segment the receiver refuses (413) wait while the rest of its pair goes on', async () => {
    const s = await site();
    const a = s.segments('gate-1', 4);
    closedOutage(s, 'gate-1', 'central', a[0]!, a[3]!);
    const refused = new Date(a[1]!.startMs).toISOString();
    let refusals = 0;
    // A front that refuses one segment twice and forwards the rest to the reference receiver.
    const front = http.createServer((req, res) => {
      if (req.headers['x-segment-start'] === refused && refusals++ < 2) {
        req.resume();
        res.writeHead(413).end('too large');
        return;
      }
      const fwd = http.request(`${s.rx.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502);
        r.pipe(res);
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => front.close(() => r())));
    const port = (front.address() as AddressInfo).port;
    const bf = s.backfill({
      more: {
        destinations: [
          {
            id: 'central',
            url: 'rtmp://127.0.0.1:1/live/{cameraId}',
            backfill: { url: `http://127.0.0.1:${port}/{cameraId}/{start}`, method: 'POST' },
          },
        ],
      },
    });
    await bf.start(new AbortController().signal);
    await waitFor(
      () => s.deliveries().filter((d) => d.delivered_ms !== null).length === 4,
      'all 4 delivered',
    );
    const order = s.rx.records.map((r) => r.start);
    expect(order.indexOf(refused)).toBeGreaterThan(order.indexOf(new Date(a[2]!.startMs).toISOString()));
    expect(s.deliveries()[1]).toMatchObject({ attempts: 3, last_error: 'HTTP 413: too large' });
  });
});
