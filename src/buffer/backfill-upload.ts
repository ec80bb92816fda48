// One HTTP(S) upload of a segment file, paced by the shared throttle. Resolves, never rejects.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { Throttle } from './rate-throttle.ts';

export interface UploadRequest {
  url: URL;
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  path: string;
  throttle: Throttle;
  /** The socket may stay silent this long (no byte sent or received) before the upload is cut. */
  timeoutMs: number;
  signal: AbortSignal;
  agents?: { http: http.Agent; https: https.Agent };
}

export type UploadResult =
  | { ok: true; status: number; sent: number }
  | { ok: false; status: number | null; error: string; aborted: boolean; sent: number };

/** The first bytes of an error answer are kept for last_error; the rest is drained. */
const ERROR_BODY_CHARS = 200;

export function uploadSegment(u: UploadRequest): Promise<UploadResult> {
  return new Promise<UploadResult>((resolve) => {
    let settled = false;
    let sent = 0;
    const lib = u.url.protocol === 'https:' ? https : http;
    const agent = u.url.protocol === 'https:' ? u.agents?.https : u.agents?.http;
    const req = lib.request(u.url, { method: u.method, headers: u.headers, ...(agent ? { agent } : {}) });
    const finish = (r: UploadResult) => {
      if (settled) return;
      settled = true;
      u.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const fail = (error: string, status: number | null = null) =>
      finish({ ok: false, status, error, aborted: u.signal.aborted, sent });
    const onAbort = () => req.destroy(new Error('stopped'));
    if (u.signal.aborted) return fail('stopped');
    u.signal.addEventListener('abort', onAbort, { once: true });

    req.setTimeout(u.timeoutMs, () =>
      req.destroy(new Error(`no progress for ${u.timeoutMs / 1000} s (receiver hung)`)),
    );
    req.on('error', (err) => fail(err.message));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        if (body.length < ERROR_BODY_CHARS) body += s;
      });
      res.on('error', (err) => fail(err.message, status));
      res.on('end', () => {
        if (status >= 200 && status < 300) finish({ ok: true, status, sent });
        else {
          const text = body.replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS);
          fail(`HTTP ${status}${text ? `: ${text}` : ''}`, status);
        }
      });
      // An early answer (401 before the body was read) ends the upload; stop sending.
      if (!req.writableFinished) res.once('end', () => req.destroy());
    });

    const file = createReadStream(u.path, { highWaterMark: 64 * 1024 });
    const paced = u.throttle.stream();
    paced.on('data', (chunk: Buffer) => (sent += chunk.length));
    pipeline(file, paced, req).catch((err: Error) => {
      // A file error must cut the request; a request error is reported by req's own listener.
      if (!req.destroyed) req.destroy(err);
    });
  });
}
