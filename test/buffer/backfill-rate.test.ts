// The rate cap's arithmetic, with an injected clock (no timing in unit tests), and the pure
// pieces of the receiver contract: URL, headers, failure scope, default cap.
import { describe, expect, it } from 'vitest';
import { backfillCapKbps } from '../../src/buffer/backfill.ts';
import { backfillHeaders, backfillUrl, compactIso, failureScope } from '../../src/buffer/backfill-url.ts';
import { TokenBucket, burstFor, kbpsToBytesPerSecond } from '../../src/buffer/rate-bucket.ts';
import { Throttle } from '../../src/buffer/rate-throttle.ts';
import { configSchema, type Config } from '../../src/config/schema.ts';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Each reservation is sent at now + wait; the clock moves to the send time, as a writer would. */
function schedule(bucket: TokenBucket, c: ReturnType<typeof clock>, chunks: number[]): number[] {
  const sendTimes: number[] = [];
  for (const n of chunks) {
    const wait = bucket.reserve(n);
    c.advance(wait);
    sendTimes.push(c.now());
  }
  return sendTimes;
}

describe('token bucket', () => {
  it('lets the burst through at once and then charges debt at the rate', () => {
    const c = clock();
    const b = new TokenBucket(1000, 500, c.now);
    expect(b.reserve(500)).toBe(0);
    expect(b.reserve(250)).toBeCloseTo(250, 9);
    // A second caller queues behind the first one's debt (first come, first served).
    expect(b.reserve(250)).toBeCloseTo(500, 9);
  });

  it('never releases more than burst + rate x elapsed over a long run, and no less', () => {
    const c = clock(0);
    const rate = kbpsToBytesPerSecond(2000); // 250 000 B/s
    const burst = burstFor(rate);
    const b = new TokenBucket(rate, burst, c.now);
    const chunks = Array.from({ length: 2000 }, (_, i) => 1000 + ((i * 7919) % 15000));
    const times = schedule(b, c, chunks);
    let sent = 0;
    chunks.forEach((n, i) => {
      sent += n;
      expect(sent).toBeLessThanOrEqual(burst + (rate * times[i]!) / 1000 + 1e-6);
    });
    // Work-conserving: the whole lot takes exactly (total - burst) / rate.
    expect(times.at(-1)!).toBeCloseTo(((sent - burst) / rate) * 1000, 6);
  });

  it('refills while idle but never above the burst', () => {
    const c = clock();
    const b = new TokenBucket(1000, 500, c.now);
    b.reserve(500);
    c.advance(10_000);
    expect(b.available()).toBe(500);
    expect(b.reserve(600)).toBeCloseTo(100, 9);
  });

  it('takes back what an aborted upload reserved but did not send', () => {
    const c = clock();
    const b = new TokenBucket(1000, 500, c.now);
    b.reserve(1500);
    expect(b.available()).toBe(-1000);
    b.refund(400);
    expect(b.available()).toBe(-600);
    b.refund(5000);
    expect(b.available()).toBe(500);
  });

  it('refuses a zero rate', () => {
    expect(() => new TokenBucket(0, 100)).toThrow(RangeError);
  });

  it('sizes the burst at 50 ms of the rate, never under 16 KiB', () => {
    expect(burstFor(kbpsToBytesPerSecond(64))).toBe(16 * 1024);
    expect(burstFor(kbpsToBytesPerSecond(100_000))).toBe(625_000);
  });
});

describe('throttle', () => {
  it('is unlimited without a cap and passes bytes through unchanged', async () => {
    const t = new Throttle(null);
    expect(t.kbps).toBeNull();
    expect(await through(t, 300_000)).toBe(true);
  });

  it('paces with a cap and still delivers every byte in order', async () => {
    const t = new Throttle(1_000_000);
    expect(t.kbps).toBe(1_000_000);
    expect(await through(t, 300_000)).toBe(true);
  });
});

async function through(t: Throttle, size: number): Promise<boolean> {
  const input = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
  const s = t.stream();
  const out: Buffer[] = [];
  s.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((r) => s.on('end', r));
  for (let i = 0; i < size; i += 40_000) s.write(input.subarray(i, i + 40_000));
  s.end();
  await done;
  return Buffer.concat(out).equals(input);
}

function cfg(extra: Record<string, unknown>): Config {
  return configSchema.parse({
    site: { id: 'site-1', name: 'Test' },
    recording: { dir: '/tmp/unused' },
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    ...extra,
  });
}

describe('default cap', () => {
  it('is backfill.maxKbps when set', () => {
    expect(backfillCapKbps(cfg({ backfill: { maxKbps: 800 }, uplink: { kbps: 4000 } }))).toBe(800);
  });
  it('is half of uplink.kbps otherwise', () => {
    expect(backfillCapKbps(cfg({ uplink: { kbps: 4001 } }))).toBe(2000);
  });
  it('is none without either', () => {
    expect(backfillCapKbps(cfg({}))).toBeNull();
  });
});

describe('receiver contract', () => {
  const start = Date.UTC(2026, 10, 22, 4, 47, 0, 250);

  it('writes {start} as ISO-8601 basic UTC with milliseconds, safe in a file name', () => {
    expect(compactIso(start)).toBe('20261122T044700.250Z');
  });

  it('fills the URL template and escapes its values', () => {
    const u = backfillUrl('https://rx.example/v1/{siteId}/{cameraId}/{start}.ts?site={siteId}', {
      siteId: 'site-1',
      cameraId: 'gate 1/..',
      startMs: start,
    });
    expect(u.href).toBe('https://rx.example/v1/site-1/gate%201%2F../20261122T044700.250Z.ts?site=site-1');
  });

  it('sends the hash, times and ids, and the bearer token only when set', () => {
    const base = { siteId: 's', cameraId: 'c', startMs: start, endMs: start + 4000, bytes: 12, sha256: 'ab' };
    expect(backfillHeaders(base)).toEqual({
      'Content-Type': 'video/mp2t',
      'Content-Length': '12',
      'X-Content-SHA256': 'ab',
      'X-Segment-Start': '2026-11-22T04:47:00.250Z',
      'X-Segment-End': '2026-11-22T04:47:04.250Z',
      'X-Camera-Id': 'c',
      'X-Site-Id': 's',
    });
    expect(backfillHeaders({ ...base, token: 'tok' }).Authorization).toBe('Bearer tok');
  });

  it.each([
    [null, 'destination'],
    [500, 'destination'],
    [503, 'destination'],
    [401, 'destination'],
    [404, 'destination'],
    [429, 'destination'],
    [400, 'segment'],
    [409, 'segment'],
    [413, 'segment'],
    [422, 'segment'],
  ] as const)('blames a failure with status %s on the %s', (status, scope) => {
    expect(failureScope(status)).toBe(scope);
  });
});
