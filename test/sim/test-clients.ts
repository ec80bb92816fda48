// Independent clients for the simulator's own tests: plain node:http, dgram, crypto and ffprobe.
// Deliberately nothing from src/: these check the simulator, not the gateway.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import type { RemoteInfo } from 'node:dgram';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { SimCamera, SimSite } from './types.ts';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function http(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'POST', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('latin1'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const NS_DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
export const NS_MEDIA = 'http://www.onvif.org/ver10/media/wsdl';
export const NS_MEDIA2 = 'http://www.onvif.org/ver20/media/wsdl';

/** WS-Security header: PasswordDigest = Base64(SHA1(nonce + created + password)), UTF-8. */
export function wsSecurity(user: string, pass: string, created: Date, nonce = randomBytes(16)): string {
  const c = created.toISOString();
  const digest = createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(c, 'utf8'), Buffer.from(pass, 'utf8')]))
    .digest('base64');
  return (
    '<s:Header><Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<UsernameToken><Username>${user}</Username>` +
    '<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">' +
    `${digest}</Password><Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary">` +
    `${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${c}</Created>` +
    '</UsernameToken></Security></s:Header>'
  );
}

export function envelope(body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${header}<s:Body>${body}</s:Body></s:Envelope>`;
}

export function op(name: string, ns = NS_DEVICE, inner = ''): string {
  return `<${name} xmlns="${ns}">${inner}</${name}>`;
}

export function soap(
  url: string,
  body: string,
  header = '',
  extra: Record<string, string> = {},
): Promise<HttpResult> {
  return http(url, {
    body: envelope(body, header),
    headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...extra },
  });
}

export function text(xml: string, local: string): string | undefined {
  return new RegExp(`<(?:[\\w.-]+:)?${local}(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</(?:[\\w.-]+:)?${local}>`).exec(
    xml,
  )?.[1];
}

/** The camera's clock from a GetSystemDateAndTime reply (UTCDateTime only). */
export function cameraUtc(xml: string): Date {
  const block = /UTCDateTime>([\s\S]*?)<\/(?:[\w.-]+:)?UTCDateTime/.exec(xml)?.[1] ?? '';
  const n = (k: string) => Number(text(block, k));
  return new Date(Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second')));
}

/** RFC 7616 Digest response (MD5, qop=auth) to a WWW-Authenticate challenge. */
export function digestHeader(
  challenge: string,
  method: string,
  uri: string,
  user: string,
  pass: string,
): string {
  const p = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(challenge)?.[1] ?? '';
  const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
  const [realm, nonce, opaque] = [p('realm'), p('nonce'), p('opaque')];
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = md5(
    `${md5(`${user}:${realm}:${pass}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`${method}:${uri}`)}`,
  );
  return (
    `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=MD5, ` +
    `qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${opaque}"`
  );
}

/** Request, and on a 401 challenge repeat once with Digest credentials. */
export async function withDigest(
  url: string,
  user: string,
  pass: string,
  opts: { method?: string; body?: string } = {},
): Promise<HttpResult> {
  const first = await http(url, opts);
  const challenge = first.headers['www-authenticate'];
  if (first.status !== 401 || !challenge) return first;
  const u = new URL(url);
  const authorization = digestHeader(challenge, opts.method ?? 'POST', u.pathname + u.search, user, pass);
  return http(url, { ...opts, headers: { Authorization: authorization } });
}

export function probeXml(messageId = `uuid:${randomUUID()}`, types = 'dn:NetworkVideoTransmitter'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>' +
    `<w:MessageID>${messageId}</w:MessageID><w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
    '<w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
    `<e:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></e:Body></e:Envelope>`
  );
}

export interface ProbeReply {
  from: RemoteInfo;
  text: string;
}

/** Send one Probe and collect every datagram that comes back within `waitMs`. */
export function probe(
  address: string,
  port: number,
  opts: { xml?: string; waitMs?: number; multicastInterface?: string } = {},
): Promise<ProbeReply[]> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const replies: ProbeReply[] = [];
    sock.on('message', (msg, from) => replies.push({ from, text: msg.toString('utf8') }));
    sock.on('error', reject);
    sock.bind(0, opts.multicastInterface ?? '0.0.0.0', () => {
      if (opts.multicastInterface) sock.setMulticastInterface(opts.multicastInterface);
      sock.send(opts.xml ?? probeXml(), port, address, (err) => {
        if (err) reject(err);
      });
      setTimeout(() => sock.close(() => resolve(replies)), opts.waitMs ?? 1200);
    });
  });
}

export interface ProbedStream {
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  profile?: string;
}

/** ffprobe a URL; resolves with its streams or rejects with ffprobe's error text. */
export function ffprobe(
  url: string,
  transport: 'tcp' | 'udp' = 'tcp',
  prefix: string[] = [],
): Promise<ProbedStream[]> {
  const args = [
    '-v',
    'error',
    '-rtsp_transport',
    transport,
    '-timeout',
    '10000000',
    '-show_streams',
    '-of',
    'json',
    url,
  ];
  const [cmd = 'ffprobe', ...pre] = prefix.length ? [...prefix, 'ffprobe'] : ['ffprobe'];
  return new Promise((resolve, reject) => {
    execFile(cmd, [...pre, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message} ${stderr}`));
      resolve((JSON.parse(stdout) as { streams: ProbedStream[] }).streams);
    });
  });
}

export function findCamera(site: SimSite, id: string): SimCamera {
  const c = site.cameras.find((x) => x.spec.id === id);
  if (!c) throw new Error(`no camera ${id}`);
  return c;
}

/** Camera clock offset (ms), read the way a client must: unauthenticated GetSystemDateAndTime. */
export async function offsetOf(c: SimCamera): Promise<number> {
  const r = await soap(c.onvifUrl, op('GetSystemDateAndTime'));
  return cameraUtc(r.body).getTime() - Date.now();
}

/** A WS-Security header signed on the camera's clock. */
export async function signed(c: SimCamera, pass = c.spec.password ?? 'Secret-123'): Promise<string> {
  return wsSecurity('admin', pass, new Date(Date.now() + (await offsetOf(c))));
}

export function soapBody(inner: string): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${inner}</s:Body></s:Envelope>`;
}
