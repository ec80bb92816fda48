// A minimal RTSP client that sends OPTIONS-free DESCRIBE and answers one auth challenge, so
// diagnose can tell "refused", "unauthorised", "no such stream" and "silent" apart before ffprobe.
import net from 'node:net';
import tls from 'node:tls';
import { authorizationFor } from '../onvif/digest.ts';
import type { Credentials } from '../onvif/transport.ts';

export interface DescribeResult {
  status: number;
  reason: string;
  /** Media lines of the SDP, e.g. ["video 0 RTP/AVP 96"]. */
  media: string[];
  codecs: string[];
}

export class RtspError extends Error {
  constructor(
    readonly kind: 'refused' | 'timeout' | 'unreachable' | 'network' | 'protocol',
    message: string,
  ) {
    super(message);
    this.name = 'RtspError';
  }
}

const MAX_RESPONSE = 64 * 1024;

function exchange(
  url: URL,
  request: string,
  timeoutMs: number,
): Promise<{ status: number; reason: string; headers: [string, string][]; body: string }> {
  return new Promise((resolve, reject) => {
    const port = Number(url.port) || (url.protocol === 'rtsps:' ? 322 : 554);
    const socket =
      url.protocol === 'rtsps:'
        ? tls.connect({ host: url.hostname, port, rejectUnauthorized: false })
        : net.connect({ host: url.hostname, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(
      () => fail(new RtspError('timeout', `no RTSP answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const kind =
        err.code === 'ECONNREFUSED'
          ? 'refused'
          : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH'
            ? 'unreachable'
            : 'network';
      fail(new RtspError(kind, err.code ?? err.message));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_RESPONSE) return fail(new RtspError('protocol', 'RTSP response too large'));
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = text.slice(0, end).split('\r\n');
      const m = /^RTSP\/1\.\d (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
      if (!m) return fail(new RtspError('protocol', 'not an RTSP server'));
      const headers = lines.slice(1).map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
      });
      const length = Number(headers.find(([k]) => k === 'content-length')?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(m[1]),
        reason: m[2] ?? '',
        headers,
        body: buf.subarray(end + 4, end + 4 + length).toString('utf8'),
      });
    });
    socket.write(request);
  });
}

export async function rtspDescribe(
  uri: string,
  creds: Credentials | null,
  timeoutMs: number,
): Promise<DescribeResult> {
  const url = new URL(uri);
  const bare = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  const request = (cseq: number, auth?: string) =>
    `DESCRIBE ${bare} RTSP/1.0\r\nCSeq: ${cseq}\r\nAccept: application/sdp\r\nUser-Agent: edge-gateway\r\n${auth ? `Authorization: ${auth}\r\n` : ''}\r\n`;
  let res = await exchange(url, request(1), timeoutMs);
  if (res.status === 401 && creds) {
    const challenges = res.headers.filter(([k]) => k === 'www-authenticate').map(([, v]) => v);
    const auth = authorizationFor(challenges, 'DESCRIBE', bare, creds);
    if (auth) res = await exchange(url, request(2, auth), timeoutMs);
  }
  const media = res.body
    .split(/\r?\n/)
    .filter((l) => l.startsWith('m='))
    .map((l) => l.slice(2));
  const codecs = res.body
    .split(/\r?\n/)
    .flatMap((l) => /^a=rtpmap:\d+ ([A-Za-z0-9-]+)\//.exec(l)?.[1] ?? [])
    .map((c) => c.toUpperCase());
  return { status: res.status, reason: res.reason, media, codecs };
}
