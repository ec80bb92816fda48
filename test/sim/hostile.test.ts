// The hostile behaviours produce what they claim to, so the gateway's defences can be tested on them.
import { connect } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimCamera, SimSite } from './site.ts';
import { http, op, soap } from './test-clients.ts';

let site: SimSite;
const cam = (id: string): SimCamera => {
  const c = site.cameras.find((x) => x.spec.id === id);
  if (!c) throw new Error(id);
  return c;
};

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hang', personality: 'hikvision', behaviour: 'hang' },
      { id: 'nas', personality: 'dahua', behaviour: 'not-a-camera' },
      { id: 'malformed', personality: 'noname', behaviour: 'malformed-xml' },
      { id: 'huge', personality: 'hikvision', behaviour: 'oversized-xml' },
      { id: 'entities', personality: 'hikvision', behaviour: 'entity-xml' },
      { id: 'html401', personality: 'axis', behaviour: 'html-401' },
    ],
  });
});
afterAll(() => site?.stop());

/** Read a response body, aborting after `cap` bytes. */
function readCapped(url: string, cap: number): Promise<{ bytes: number; ms: number; complete: boolean }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes >= cap) {
          req.destroy();
          resolve({ bytes, ms: Date.now() - t0, complete: false });
        }
      });
      res.on('end', () => resolve({ bytes, ms: Date.now() - t0, complete: true }));
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>');
  });
}

describe('hostile devices', () => {
  it('hang: accepts the TCP connection and never answers', async () => {
    const c = cam('hang');
    await new Promise<void>((resolve, reject) => {
      const s = connect(c.onvifPort, c.host, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    await expect(http(c.onvifUrl, { body: '<x/>', timeoutMs: 1500 })).rejects.toThrow('timeout');
  });

  it('not-a-camera: HTML 404 to SOAP', async () => {
    const r = await soap(cam('nas').onvifUrl, op('GetDeviceInformation'));
    expect(r.status).toBe(404);
    expect(r.body).toContain('<title>404 Not Found</title>');
  });

  it('malformed-xml: the truncated go2rtc envelope, not well-formed', async () => {
    const r = await soap(cam('malformed').onvifUrl, op('GetSystemDateAndTime'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<SOAP-ENV:Envelope ...>');
    expect(r.body).toContain(`rtsp://${cam('malformed').host}:8090/profile1=r`);
  });

  it('oversized-xml: a capped reader stops early; the whole body is >= 8 MB', async () => {
    const url = cam('huge').onvifUrl;
    const capped = await readCapped(url, 1024 * 1024);
    expect(capped.complete).toBe(false);
    expect(capped.bytes).toBeLessThan(8 * 1024 * 1024);
    const full = await readCapped(url, Infinity);
    expect(full.complete).toBe(true);
    expect(full.bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024);
  });

  it('entity-xml: billion laughs for the clock, an external file:///etc/passwd entity for the rest', async () => {
    const c = cam('entities');
    const laughs = await soap(c.onvifUrl, op('GetSystemDateAndTime'));
    expect(laughs.body).toMatch(/<!DOCTYPE Envelope \[\s*<!ENTITY lol0 "lol">/);
    expect(laughs.body).toContain('<tt:TZ>&lol9;</tt:TZ>');
    const xxe = await soap(c.onvifUrl, op('GetDeviceInformation'));
    expect(xxe.body).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    expect(xxe.body).toContain('<tds:Manufacturer>&xxe;</tds:Manufacturer>');
  });

  it('html-401: 401 with an HTML page and no WWW-Authenticate (the clock still answers)', async () => {
    const c = cam('html401');
    const r = await soap(c.onvifUrl, op('GetDeviceInformation'));
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('text/html');
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect((await soap(c.onvifUrl, op('GetSystemDateAndTime'))).status).toBe(200);
  });

  it('hostile devices start no RTSP server unless asked', () => {
    for (const c of site.cameras) expect(c.rtspPort).toBe(554);
  });
});
