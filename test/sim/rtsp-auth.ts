// RTSP Digest authentication in front of a camera's GStreamer server, counted by the camera's own
// Authenticator: a Dahua counts failed RTSP logins against the same account as ONVIF ones and
// locks it after 5 (issue 12). OPTIONS is open, as on the cameras; every other request needs a
// valid Digest until one passes, then the connection is a plain pipe (RTP interleaved over TCP).
import { connect, createServer, type Socket } from 'node:net';

export interface RtspLogin {
  /** 'ok': pass; 'challenge': answer 401 with `challenge()` (a wrong login is counted by the checker). */
  checkRtsp(method: string, uri: string, authorization: string | undefined): Promise<'ok' | 'challenge'>;
  rtspChallenge(): string;
}

export interface RtspAuthProxy {
  port: number;
  close(): Promise<void>;
}

interface Request {
  method: string;
  uri: string;
  cseq: string;
  authorization: string | undefined;
  raw: Buffer;
}

/** One complete request at the head of `buf`, or null while it is incomplete. */
function nextRequest(buf: Buffer): Request | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const header = (name: string) =>
    head
      .slice(1)
      .find((l) => l.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  const length = end + 4 + Number(header('content-length') ?? 0);
  if (buf.length < length) return null;
  const [method = '', uri = ''] = (head[0] ?? '').split(' ');
  return {
    method,
    uri,
    cseq: header('cseq') ?? '0',
    authorization: header('authorization'),
    raw: buf.subarray(0, length),
  };
}

export function startRtspAuthProxy(
  host: string,
  port: number,
  upstreamPort: () => number,
  login: RtspLogin,
): Promise<RtspAuthProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort(), host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let busy = false;
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!busy) void drain();
    };
    // Requests are checked one at a time, in order; after the first that passes, a plain pipe.
    const drain = async () => {
      busy = true;
      let req: Request | null;
      while ((req = nextRequest(pending))) {
        pending = pending.subarray(req.raw.length);
        const verdict =
          req.method === 'OPTIONS' ? 'open' : await login.checkRtsp(req.method, req.uri, req.authorization);
        if (verdict === 'challenge') {
          client.write(
            `RTSP/1.0 401 Unauthorized\r\nCSeq: ${req.cseq}\r\nWWW-Authenticate: ${login.rtspChallenge()}\r\n\r\n`,
          );
          continue;
        }
        upstream.write(req.raw);
        if (verdict === 'ok') {
          client.off('data', onData);
          if (pending.length > 0) upstream.write(pending);
          client.pipe(upstream);
          return;
        }
      }
      busy = false;
    };
    client.on('data', onData);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
