// One camera's HTTP side: SOAP on the vendor's service paths, snapshot JPEG, HTML 404 elsewhere, and the
// hostile behaviours. Never throws out of a request handler; close() ends every connection.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Authenticator } from './auth.ts';
import { fault, notAuthorized } from './envelopes.ts';
import {
  billionLaughsReply,
  externalEntityReply,
  HTML_401,
  HTML_404,
  malformedXml,
  streamOversized,
} from './hostile.ts';
import type { CameraModel } from './model.ts';
import { snapshotJpeg } from './snapshot.ts';
import { handleSoap } from './soap-handlers.ts';
import { getSystemDateAndTime } from './device-responses.ts';
import { parseSoapRequest } from './xml.ts';
import { parseUsernameToken } from './ws-security.ts';

const MAX_REQUEST_BYTES = 1024 * 1024;
const SOAP_TYPE = 'application/soap+xml; charset=utf-8';

export interface OnvifServer {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () =>
      resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', () => resolve(undefined));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OnvifHandler {
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly m: CameraModel,
    private readonly auth: Authenticator,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = this.m;
    const url = new URL(req.url ?? '/', 'http://camera');
    const behaviour = m.spec.behaviour;
    if (behaviour === 'not-a-camera') {
      await readBody(req);
      return send(res, 404, 'text/html', HTML_404);
    }
    const snapshot = new URL(m.p.snapshotPath, 'http://camera');
    if (req.method === 'GET' && url.pathname === snapshot.pathname) return this.snapshot(req, res);
    if (req.method !== 'POST' || !(m.p.anyPath || m.p.soapPaths.includes(url.pathname))) {
      await readBody(req);
      return send(res, 404, 'text/html', HTML_404);
    }
    const xml = await readBody(req);
    if (xml === undefined)
      return send(res, 413, 'text/html', HTML_404.replace(/404 Not Found|Not Found/g, '413'));
    if (behaviour === 'malformed-xml') return send(res, 200, SOAP_TYPE, malformedXml(m));
    if (behaviour === 'oversized-xml') return streamOversized(res, this.timers);
    const soap = parseSoapRequest(xml);
    res.once('finish', m.rounds.arrive(soap?.action ?? '', presentsCredentials(req, xml)));
    if (behaviour === 'entity-xml') {
      const reply = soap?.action === 'GetSystemDateAndTime' ? billionLaughsReply() : externalEntityReply();
      return send(res, 200, SOAP_TYPE, reply);
    }
    if (m.spec.responseDelayMs > 0) await sleep(m.spec.responseDelayMs);
    if (!soap) {
      // An empty or broken body without credentials (curl --digest's first POST) meets the HTTP auth first.
      if (m.spec.auth !== 'ws-security' && req.headers.authorization === undefined) {
        return send(res, 401, 'text/html', HTML_401, { 'WWW-Authenticate': this.auth.digest.challenge() });
      }
      const body = fault(m.p.name, {
        code: 'Sender',
        subcodes: ['ter:WellFormed'],
        reason: 'XML well-formed violation occurred',
      });
      return send(res, 400, SOAP_TYPE, body);
    }
    // The one call every camera answers without credentials: clients read the clock before signing.
    if (soap.action === 'GetSystemDateAndTime') return send(res, 200, SOAP_TYPE, getSystemDateAndTime(m));
    if (behaviour === 'html-401') return send(res, 401, 'text/html', HTML_401);
    // ONVIF Core's PRE_AUTH class (GetServices, GetCapabilities, ...): answered without credentials.
    // Credentials that are sent are still checked, and counted when wrong.
    if (m.spec.preAuth && PRE_AUTH.has(soap.action) && !presentsCredentials(req, xml)) {
      const out = handleSoap(m, soap, url.pathname);
      return send(res, out.status, SOAP_TYPE, out.xml);
    }
    const verdict = await this.auth.checkSoap(req, xml);
    if (!verdict.ok) {
      if (verdict.reply === 'challenge') {
        return send(res, 401, 'text/html', HTML_401, {
          'WWW-Authenticate': this.auth.digest.challenge(verdict.stale),
        });
      }
      return send(res, 400, SOAP_TYPE, notAuthorized(m.p.name, verdict.reason));
    }
    const failure = m.failing.get(soap.action);
    if (failure === 'hang') return new Promise((resolve) => res.once('close', () => resolve()));
    if (failure === 'forbidden') return send(res, 400, SOAP_TYPE, notAuthorized(m.p.name));
    if (failure === 'fault') {
      const reason = `${soap.action} failed (simulated)`;
      return send(
        res,
        500,
        SOAP_TYPE,
        fault(m.p.name, { code: 'Receiver', subcodes: ['ter:Action'], reason }),
      );
    }
    const out = handleSoap(m, soap, url.pathname);
    return send(res, out.status, SOAP_TYPE, out.xml);
  }

  private async snapshot(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const verdict = await this.auth.checkSnapshot(req);
    if (!verdict.ok) {
      const challenge = this.auth.digest.challenge(verdict.reply === 'challenge' && verdict.stale);
      return send(res, 401, 'text/html', HTML_401, { 'WWW-Authenticate': challenge });
    }
    return send(res, 200, 'image/jpeg', await snapshotJpeg());
  }
}

function onRequest(handler: OnvifHandler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    handler.handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/html', '<html><body>500</body></html>');
      else res.destroy();
    });
  };
}

function listen(
  server: Server | ReturnType<typeof createNetServer>,
  host: string,
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export async function startOnvifServer(
  m: CameraModel,
  auth: Authenticator,
  host: string,
  port: number,
): Promise<OnvifServer> {
  if (m.spec.behaviour === 'hang') return startHangServer(host, port);
  const handler = new OnvifHandler(m, auth);
  const server = createHttpServer(onRequest(handler));
  server.on('clientError', (_e, socket) => socket.destroy());
  const bound = await listen(server, host, port);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of handler.timers) clearInterval(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Accepts TCP and reads, never answers: the black-holed camera. */
async function startHangServer(host: string, port: number): Promise<OnvifServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const bound = await listen(server, host, port);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** ONVIF Core specification, access classes: the calls a device shall answer without authentication. */
const PRE_AUTH = new Set([
  'GetWsdlUrl',
  'GetServices',
  'GetServiceCapabilities',
  'GetCapabilities',
  'GetHostname',
  'GetEndpointReference',
]);

function presentsCredentials(req: IncomingMessage, xml: string): boolean {
  return req.headers.authorization !== undefined || parseUsernameToken(xml) !== undefined;
}
