// The one adapter around the `onvif` package. We use its Cam as the HTTP exchange (POST, HTTP
// Digest challenge handling with MD5 and SHA-256) and fix what it gets wrong in the field:
// - its 120 s timeout is an idle timeout: we enforce a hard per-call deadline instead;
// - it buffers any response size: our agent cuts the socket past a cap;
// - it hashes WS-Security passwords as ASCII and caches a clock offset forever: we sign the
//   UsernameToken ourselves, in UTF-8, on a clock offset the session owns and can re-sync;
// - it parses with regexes and xml2js: we parse the raw XML ourselves, refusing entities.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import onvif from 'onvif';
import { OnvifError, networkKind } from './errors.ts';

export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface Credentials {
  username: string;
  password: string;
}

export interface SoapRequest {
  action: string;
  body: string;
}

export interface RawResponse {
  status: number;
  xml: string;
  /** True when the device asked for HTTP Digest and the package answered the challenge. */
  usedDigest: boolean;
}

/** The private surface of onvif's Cam that we use; the package's types do not declare it. */
interface CamInternals {
  _request(
    options: { body: string; action: string; service: string; headers: Record<string, string> },
    cb: (err: (Error & { code?: string }) | null, data: unknown, xml?: string, status?: number) => void,
  ): void;
  on(event: 'rawResponse', listener: (xml: string, status: number) => void): void;
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

/** WS-UsernameToken PasswordDigest, hashed as UTF-8 (the package uses ASCII, which breaks Vietnamese passwords). */
export function usernameToken(creds: Credentials, cameraNowMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(cameraNowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(creds.password, 'utf8')]))
    .digest('base64');
  return (
    '<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">' +
    `<wsse:UsernameToken><wsse:Username>${xmlEscape(creds.username)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function envelope(body: string, securityHeader = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">' +
    `<s:Header>${securityHeader}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** An agent that counts bytes per socket and can cut every socket it made. */
function cappedAgent(secure: boolean, maxBytes: number, onOverflow: () => void) {
  const sockets = new Set<Socket>();
  const agent = secure
    ? new https.Agent({ keepAlive: false, rejectUnauthorized: false })
    : new http.Agent({ keepAlive: false });
  const withCreate = agent as unknown as { createConnection: (...args: unknown[]) => Socket };
  const create = withCreate.createConnection.bind(agent);
  withCreate.createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    sockets.add(socket);
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        onOverflow();
        socket.destroy();
      }
    });
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  return { agent, destroyAll: () => sockets.forEach((s) => s.destroy()) };
}

/**
 * One SOAP exchange with one service URL. Resolves with the raw response whatever the HTTP status;
 * rejects only for transport failures (timeout, refused, too large...).
 */
export function postSoap(
  url: URL,
  request: SoapRequest,
  opts: { credentials: Credentials | null; securityHeader: string; timeoutMs: number; maxBytes?: number },
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      capped.destroyAll();
      fn();
    };
    const maxBytes = opts.maxBytes ?? MAX_RESPONSE_BYTES;
    const capped = cappedAgent(url.protocol === 'https:', maxBytes, () =>
      finish(() => reject(new OnvifError('too-large', `response larger than ${maxBytes} bytes`))),
    );
    const timer = setTimeout(
      () => finish(() => reject(new OnvifError('timeout', `no answer within ${opts.timeoutMs / 1000} s`))),
      opts.timeoutMs,
    );
    const secure = url.protocol === 'https:';
    const cam = new onvif.Cam({
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (secure ? 443 : 80),
      path: url.pathname + url.search,
      username: opts.credentials?.username,
      password: opts.credentials?.password,
      useSecure: secure,
      secureOpts: { rejectUnauthorized: false },
      timeout: opts.timeoutMs,
      autoconnect: false,
      agent: capped.agent,
    }) as unknown as CamInternals;
    if (!opts.credentials) {
      // The package would answer a Digest challenge with user "undefined": a wasted login that a
      // lockout-counting camera holds against the account. Without credentials, stop there.
      (cam as unknown as { digestAuth: () => never }).digestAuth = () => {
        throw new OnvifError('no-credentials', 'the device requires credentials (HTTP Digest challenge)', {
          status: 401,
        });
      };
    }
    let raw: { xml: string; status: number } | null = null;
    cam.on('rawResponse', (xml, status) => (raw = { xml, status }));
    const headers: Record<string, string> = {};
    const body = envelope(request.body, opts.securityHeader);
    cam._request(
      { body, action: request.action, service: url.pathname + url.search, headers },
      (err, _data, xml, status) => {
        const usedDigest = headers.Authorization !== undefined;
        const response = raw ?? (xml !== undefined && status !== undefined ? { xml, status } : null);
        if (response) return finish(() => resolve({ ...response, usedDigest }));
        const e = err;
        if (e instanceof OnvifError) return finish(() => reject(e));
        if (e && /Digest authentication failed/.test(e.message)) {
          return finish(() =>
            reject(new OnvifError('not-authorized', 'HTTP Digest credentials rejected', { status: 401 })),
          );
        }
        if (e && /Digest authentication headers not found/.test(e.message)) {
          return finish(() =>
            reject(
              new OnvifError('not-authorized', 'HTTP 401 without a usable Digest challenge', { status: 401 }),
            ),
          );
        }
        const kind = e?.message === 'Network timeout' ? 'timeout' : networkKind(e?.code);
        finish(() => reject(new OnvifError(kind, e ? `${e.code ?? ''} ${e.message}`.trim() : 'no response')));
      },
    );
  });
}
