// The reference receiver: checks hashes and tokens, stores under names from validated headers
// only, accepts repeats; and its command line as the demo runs it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../scripts/backfill-receiver.ts';

const body = Buffer.from('segment bytes '.repeat(1000));
const sha = createHash('sha256').update(body).digest('hex');
const headers = (extra: Record<string, string> = {}) => ({
  'Content-Type': 'video/mp2t',
  'X-Content-SHA256': sha,
  'X-Segment-Start': '2026-11-22T04:47:00.000Z',
  'X-Segment-End': '2026-11-22T04:47:04.000Z',
  'X-Camera-Id': 'gate-1',
  'X-Site-Id': 'site-1',
  ...extra,
});
const put = (url: string, h: Record<string, string>, b: Buffer = body, method = 'PUT') =>
  fetch(url, { method, headers: h, body: b }).then((r) => r.status);

/** Every file under a directory, relative, including hidden ones. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('reference receiver', () => {
  let rx: Receiver | null = null;
  let dir = '';
  afterEach(async () => {
    await rx?.close();
    rx = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (o: { token?: string } = {}) => {
    dir = mkdtempSync(join(tmpdir(), 'rx-'));
    rx = await startReceiver({ dir: join(dir, 'store'), print: () => undefined, ...o });
    return rx;
  };

  it('stores a verified body under site/camera/start whatever the request path says', async () => {
    const r = await start();
    expect(await put(`${r.url}/../../../etc/passwd`, headers())).toBe(201);
    expect(await put(`${r.url}/x`, headers({ 'X-Camera-Id': 'gate-2' }), body, 'POST')).toBe(201);
    expect(files(dir)).toEqual([
      'store/site-1/gate-1/20261122T044700.000Z.ts',
      'store/site-1/gate-2/20261122T044700.000Z.ts',
    ]);
    expect(readFileSync(join(dir, 'store/site-1/gate-1/20261122T044700.000Z.ts')).equals(body)).toBe(true);
    expect(r.records.map((x) => x.status)).toEqual([201, 201]);
  });

  it('answers 422 to a body that does not match its hash and keeps nothing of it', async () => {
    const r = await start();
    expect(await put(`${r.url}/a`, headers(), Buffer.concat([body, Buffer.from('x')]))).toBe(422);
    expect(files(dir)).toEqual([]);
  });

  it('answers 400 to ids that are not slugs (a path traversal in a header) and to a bad hash header', async () => {
    const r = await start();
    expect(await put(`${r.url}/a`, headers({ 'X-Camera-Id': '../../x' }))).toBe(400);
    expect(await put(`${r.url}/a`, headers({ 'X-Site-Id': '' }))).toBe(400);
    expect(await put(`${r.url}/a`, headers({ 'X-Content-SHA256': 'abc' }))).toBe(400);
    expect(await put(`${r.url}/a`, headers({ 'X-Segment-Start': 'yesterday' }))).toBe(400);
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });

  it('answers 401 without the right bearer token', async () => {
    const r = await start({ token: 'right-token' });
    expect(await put(`${r.url}/a`, headers())).toBe(401);
    expect(await put(`${r.url}/a`, headers({ Authorization: 'Bearer wrong-token' }))).toBe(401);
    expect(await put(`${r.url}/a`, headers({ Authorization: 'Bearer right-token' }))).toBe(201);
  });

  it('accepts a repeat of the same segment with 200', async () => {
    const r = await start();
    expect(await put(`${r.url}/a`, headers())).toBe(201);
    expect(await put(`${r.url}/a`, headers())).toBe(200);
    expect(files(dir)).toHaveLength(1);
  });

  it('refuses other methods', async () => {
    const r = await start();
    expect(await fetch(`${r.url}/a`).then((x) => x.status)).toBe(405);
  });
});

describe('reference receiver command line', () => {
  it('fails the first request on purpose, then stores, printing one JSON line per request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rx-cli-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/backfill-receiver.ts', '--port', '0', '--dir', dir, '--fail-first', '1'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
      const ready = await next();
      const url = ready.listening as string;
      expect(await put(`${url}/a`, headers())).toBe(500);
      expect((await next()).status).toBe(500);
      expect(await put(`${url}/a`, headers())).toBe(201);
      const stored = await next();
      expect(stored).toMatchObject({ status: 201, cameraId: 'gate-1', sha256: sha, bytes: body.length });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
