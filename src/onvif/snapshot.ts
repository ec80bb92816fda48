// Fetches one snapshot over HTTP(S) with Digest or Basic auth, size-capped, checking it is an image.
import http from 'node:http';
import https from 'node:https';
import { authorizationFor } from './digest.ts';
import type { Credentials } from './transport.ts';

export interface Snapshot {
  contentType: string;
  bytes: number;
  image: Buffer;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

const MAX_SNAPSHOT_BYTES = 5 * 1024 * 1024;

function get(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      { method: 'GET', headers, rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_SNAPSHOT_BYTES)
            req.destroy(new SnapshotError(`larger than ${MAX_SNAPSHOT_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    const deadline = setTimeout(
      () => req.destroy(new SnapshotError(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new SnapshotError(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

export async function fetchSnapshot(
  uri: string,
  creds: Credentials | null,
  timeoutMs: number,
): Promise<Snapshot> {
  const url = new URL(uri);
  let res = await get(url, {}, timeoutMs);
  if (res.status === 401 && creds) {
    const values = res.rawHeaders.flatMap((v, i) =>
      i % 2 === 1 && /^www-authenticate$/i.test(res.rawHeaders[i - 1] ?? '') ? [v] : [],
    );
    const auth = authorizationFor(values, 'GET', url.pathname + url.search, creds);
    if (!auth) throw new SnapshotError('HTTP 401 without a usable challenge');
    res = await get(url, { Authorization: auth }, timeoutMs);
  }
  if (res.status === 401)
    throw new SnapshotError(creds ? 'credentials rejected (HTTP 401)' : 'credentials needed (HTTP 401)');
  if (res.status !== 200) throw new SnapshotError(`HTTP ${res.status}`);
  const type = String(res.headers['content-type'] ?? '');
  const isJpeg = res.body[0] === 0xff && res.body[1] === 0xd8;
  if (!isJpeg && !type.startsWith('image/'))
    throw new SnapshotError(`not an image (${type || 'no content type'})`);
  return { contentType: type || 'image/jpeg', bytes: res.body.length, image: res.body };
}
