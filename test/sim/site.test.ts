// The simulated cameras keep their own clocks and authenticate like the captured vendors (loopback mode).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimCamera, SimSite } from './site.ts';
import {
  cameraUtc,
  findCamera,
  http,
  offsetOf,
  op,
  signed,
  soap,
  soapBody,
  text,
  withDigest,
  wsSecurity,
} from './test-clients.ts';

const YEARS_BEHIND = -3 * 365 * 24 * 3600;
const VN_PASSWORD = 'Mật-khẩu-Đà-Nẵng-9';
const GSDT = op('GetSystemDateAndTime');
const GDI = op('GetDeviceInformation');

let site: SimSite;
const cam = (id: string): SimCamera => findCamera(site, id);

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-1', personality: 'hikvision', clockSkewSeconds: YEARS_BEHIND, rtsp: false },
      {
        id: 'hik-digest',
        personality: 'hikvision',
        auth: 'http-digest',
        streamUriHost: 'credentials',
        rtsp: false,
      },
      {
        id: 'dahua-vn',
        personality: 'dahua',
        password: VN_PASSWORD,
        streamUriHost: 'whitespace',
        rtsp: false,
      },
      { id: 'dahua-lock', personality: 'dahua', clockSkewSeconds: 40, rtsp: false },
      { id: 'axis-1', personality: 'axis', auth: 'ws-security', streamUriHost: 'zero', rtsp: false },
      { id: 'nn-1', personality: 'noname', streamUriHost: 'loopback-wrong', rtsp: false },
    ],
  });
});
afterAll(() => site?.stop());

describe('clock', () => {
  it('GetSystemDateAndTime needs no credentials and reports the skewed clock in the vendor shape', async () => {
    const shapes: Record<string, RegExp> = {
      'hik-1': /<env:Envelope[\s\S]*xmlns:hikxsd=/,
      'dahua-vn': /^<\?xml version="1.0" encoding="utf-8" standalone="yes" \?><s:Envelope /,
      'axis-1': /<SOAP-ENV:Envelope[\s\S]*xmlns:tnsaxis=/,
      'nn-1': /<SOAP-ENV:Envelope[\s\S]*xmlns:chan=/,
    };
    for (const [id, shape] of Object.entries(shapes)) {
      const c = cam(id);
      const r = await soap(c.onvifUrl, GSDT);
      expect(r.status, id).toBe(200);
      expect(r.body, id).toMatch(shape);
      const expected = Date.now() + (c.spec.clockSkewSeconds ?? 0) * 1000;
      expect(Math.abs(cameraUtc(r.body).getTime() - expected), id).toBeLessThan(3000);
    }
  });

  it('setClockSkew moves the clock', async () => {
    const c = cam('dahua-lock');
    c.setClockSkew(-7200);
    await c.sync();
    expect(Math.round((await offsetOf(c)) / 1000)).toBeCloseTo(-7200, -1);
    c.setClockSkew(40);
  });
});

describe('WS-Security', () => {
  it('accepts a token signed on the camera clock and rejects one signed on local time', async () => {
    const c = cam('hik-1');
    const ok = await soap(c.onvifUrl, GDI, await signed(c));
    expect(ok.status).toBe(200);
    expect(text(ok.body, 'SerialNumber')).toBe(c.serial);
    expect(text(ok.body, 'Manufacturer')).toBe('HIKVISION');

    const before = c.failedLogins();
    const bad = await soap(c.onvifUrl, GDI, wsSecurity('admin', 'Secret-123', new Date()));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<env:Value>env:Sender</env:Value>');
    expect(bad.body).toContain('<env:Value>ter:NotAuthorized</env:Value>');
    expect(c.failedLogins()).toBe(before + 1);
  });

  it('rejects a replayed nonce', async () => {
    const c = cam('hik-1');
    const header = await signed(c);
    expect((await soap(c.onvifUrl, GDI, header)).status).toBe(200);
    expect((await soap(c.onvifUrl, GDI, header)).status).toBe(400);
  });

  it('hashes non-ASCII passwords as UTF-8 (and an ASCII/latin1 hash fails)', async () => {
    const c = cam('dahua-vn');
    expect((await soap(c.onvifUrl, GDI, await signed(c))).status).toBe(200);
    const latin1 = Buffer.from(VN_PASSWORD, 'latin1').toString('utf8');
    expect((await soap(c.onvifUrl, GDI, await signed(c, latin1))).status).toBe(400);
    const digest = await withDigest(c.onvifUrl, 'admin', VN_PASSWORD, { body: soapBody(GDI) });
    expect(digest.status).toBe(200);
  });

  it('ws-security cameras answer NotAuthorized to a request without credentials (not a failed login)', async () => {
    const c = cam('axis-1');
    const r = await soap(c.onvifUrl, GDI);
    expect(r.status).toBe(400);
    expect(r.body).toContain('<SOAP-ENV:Value>ter:NotAuthorized</SOAP-ENV:Value>');
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(c.failedLogins()).toBe(0);
  });
});

describe('HTTP Digest', () => {
  it("'either' answers a bare request with a Digest challenge that is not a failed login", async () => {
    const c = cam('hik-1');
    const before = c.failedLogins();
    const r = await soap(c.onvifUrl, GDI);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Digest realm="IP Camera\(\d{5}\)", qop="auth", nonce="/);
    expect(c.failedLogins()).toBe(before);
  });

  it('a Digest-only camera ignores WS tokens, accepts Digest and counts a wrong password', async () => {
    const c = cam('hik-digest');
    const ws = await soap(c.onvifUrl, GDI, await signed(c));
    expect(ws.status).toBe(401);
    expect(ws.headers['www-authenticate']).toContain('Digest');
    expect(c.failedLogins()).toBe(0);

    const ok = await withDigest(c.onvifUrl, 'admin', 'Secret-123', { body: soapBody(GDI) });
    expect(ok.status).toBe(200);
    expect(text(ok.body, 'SerialNumber')).toBe(c.serial);

    const bad = await withDigest(c.onvifUrl, 'admin', 'wrong', { body: soapBody(GDI) });
    expect(bad.status).toBe(401);
    expect(c.failedLogins()).toBe(1);
  });

  it('protects Hikvision snapshots with Digest; Axis snapshots are open; both are real JPEGs', async () => {
    const hik = cam('hik-digest');
    expect((await http(hik.snapshotUrl, { method: 'GET' })).status).toBe(401);
    const img = await withDigest(hik.snapshotUrl, 'admin', 'Secret-123', { method: 'GET' });
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.body.charCodeAt(0)).toBe(0xff);
    expect(img.body.charCodeAt(1)).toBe(0xd8);
    const axis = await http(cam('axis-1').snapshotUrl, { method: 'GET' });
    expect(axis.status).toBe(200);
  });
});

describe('lockout', () => {
  it('dahua tells the attempts left, locks after 5 failures and then refuses the right password', async () => {
    const c = cam('dahua-lock');
    const reasons: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await soap(c.onvifUrl, GDI, await signed(c, `wrong-${i}`));
      expect(r.status).toBe(400);
      reasons.push(text(r.body, 'Text') ?? '');
    }
    expect(reasons[0]).toBe('You still have 4 attempt(s)');
    expect(reasons[3]).toBe('You still have 1 attempt(s)');
    expect(c.locked()).toBe(true);
    expect(c.failedLogins()).toBe(5);
    expect((await soap(c.onvifUrl, GDI, await signed(c))).status).toBe(400);
    expect(c.failedLogins()).toBe(6);
    c.unlock();
    await c.sync();
    expect((await soap(c.onvifUrl, GDI, await signed(c))).status).toBe(200);
  });
});
