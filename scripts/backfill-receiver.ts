// The reference backfill receiver (docs/backfill.md): accepts PUT/POST of a segment at any path,
// checks the bearer token and the X-Content-SHA256 of the body, stores the file under a name
// built from validated headers only, and prints one JSON line per request.
//   tsx scripts/backfill-receiver.ts --port 8090 --dir /tmp/backfill [--token T] [--fail-first N] [--hang-first N]
// The first --fail-first requests get 500, the next --hang-first get no answer at all (tests).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { compactIso } from '../src/buffer/backfill-url.ts';

export interface ReceiverOptions {
  dir: string;
  port?: number;
  /** Loopback by default; the demo and the tests never listen elsewhere. */
  host?: string;
  token?: string | undefined;
  failFirst?: number;
  hangFirst?: number;
  maxBytes?: number;
  /** Where the per-request JSON lines go; stdout by default. */
  print?: (line: string) => void;
}

export interface ReceiverRecord {
  at: string;
  method: string;
  path: string;
  status: number | null;
  bytes: number;
  siteId?: string;
  cameraId?: string;
  start?: string;
  sha256?: string;
  file?: string;
  note?: string;
}

export interface Receiver {
  port: number;
  url: string;
  records: ReceiverRecord[];
  close(): Promise<void>;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export async function startReceiver(o: ReceiverOptions): Promise<Receiver> {
  const records: ReceiverRecord[] = [];
  const print = o.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const expected = o.token ? Buffer.from(`Bearer ${o.token}`) : null;
  const maxBytes = o.maxBytes ?? 512 * 1024 * 1024;
  let count = 0;

  const server = http.createServer((req, res) => {
    const n = ++count;
    const rec: ReceiverRecord = {
      at: new Date().toISOString(),
      method: req.method ?? '',
      path: (req.url ?? '').slice(0, 300),
      status: null,
      bytes: 0,
    };
    const answer = (status: number, note?: string) => {
      rec.status = status;
      if (note) rec.note = note;
      records.push(rec);
      print(JSON.stringify(rec));
      res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(note ? `${note}\n` : '');
    };
    // Answer early, but read the body so the client sees the answer rather than a reset.
    const refuse = (status: number, note: string) => {
      req.resume();
      answer(status, note);
    };
    if (req.method !== 'PUT' && req.method !== 'POST') return refuse(405, 'PUT or POST only');
    if (expected) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected))
        return refuse(401, 'bad or missing bearer token');
    }
    if (n <= (o.failFirst ?? 0)) return refuse(500, `failing on purpose (${n}/${o.failFirst})`);
    if (n <= (o.failFirst ?? 0) + (o.hangFirst ?? 0)) {
      req.resume();
      rec.note = 'hanging on purpose';
      records.push(rec);
      print(JSON.stringify(rec));
      return; // never answer; the client must give up
    }
    const siteId = header(req, 'x-site-id');
    const cameraId = header(req, 'x-camera-id');
    const sha256 = header(req, 'x-content-sha256')?.toLowerCase();
    const startMs = Date.parse(header(req, 'x-segment-start') ?? '');
    if (!siteId || !SLUG.test(siteId) || !cameraId || !SLUG.test(cameraId))
      return refuse(400, 'X-Site-Id and X-Camera-Id must be slugs');
    if (!sha256 || !HEX64.test(sha256)) return refuse(400, 'X-Content-SHA256 must be 64 hex digits');
    if (!Number.isFinite(startMs)) return refuse(400, 'X-Segment-Start must be an ISO time');
    Object.assign(rec, { siteId, cameraId, sha256, start: new Date(startMs).toISOString() });

    // The stored name comes from validated headers only, never from the request path.
    const folder = join(o.dir, siteId, cameraId);
    const file = join(folder, `${compactIso(startMs)}.ts`);
    const tmp = join(folder, `.part-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    void (async () => {
      try {
        await mkdir(folder, { recursive: true });
        const out = createWriteStream(tmp);
        for await (const chunk of req) {
          const b = chunk as Buffer;
          rec.bytes += b.length;
          if (rec.bytes > maxBytes) throw Object.assign(new Error('body too large'), { status: 413 });
          hash.update(b);
          if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        await new Promise<void>((resolve, reject) =>
          out.end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
        const actual = hash.digest('hex');
        if (actual !== sha256) {
          await rm(tmp, { force: true });
          return answer(422, `sha256 mismatch: body ${actual}`);
        }
        const previous = await readFile(file).catch(() => null);
        await rename(tmp, file);
        rec.file = file;
        // A repeat (we answered, the sender crashed before recording it) is fine: 200, not an error.
        const repeat = previous !== null && createHash('sha256').update(previous).digest('hex') === sha256;
        answer(repeat ? 200 : 201, repeat ? 'repeat' : undefined);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => undefined);
        const status = (err as { status?: number }).status ?? 500;
        if (!res.headersSent && !res.destroyed) answer(status, (err as Error).message);
        req.destroy();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      dir: { type: 'string' },
      token: { type: 'string' },
      'fail-first': { type: 'string', default: '0' },
      'hang-first': { type: 'string', default: '0' },
    },
  });
  if (!values.dir) {
    process.stderr.write(
      'usage: backfill-receiver --port N --dir D [--token T] [--fail-first N] [--hang-first N]\n',
    );
    process.exit(64);
  }
  const r = await startReceiver({
    dir: values.dir,
    port: Number(values.port),
    token: values.token,
    failFirst: Number(values['fail-first']),
    hangFirst: Number(values['hang-first']),
  });
  process.stdout.write(JSON.stringify({ listening: r.url, port: r.port, dir: values.dir }) + '\n');
  const quit = () => void r.close().then(() => process.exit(0));
  process.once('SIGTERM', quit);
  process.once('SIGINT', quit);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
