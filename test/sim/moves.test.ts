// A simulated camera moved by DHCP keeps its identity and serves everything at its new address; its
// ONVIF operations can be made to fail (a fault or no answer at all), and GetNetworkInterfaces names
// its MAC and address (loopback mode).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimSite } from './site.ts';
import { http, NS_MEDIA, op, probe, signed, soap, text } from './test-clients.ts';

let site: SimSite;

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-1', personality: 'hikvision' },
      { id: 'axis-1', personality: 'axis', rtsp: false },
    ],
  });
});
afterAll(() => site?.stop());

const refused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

describe('a camera moved to a new address', () => {
  it('answers GetNetworkInterfaces with its MAC and address', async () => {
    const c = site.cameras[0]!;
    const r = await soap(c.onvifUrl, op('GetNetworkInterfaces'), await signed(c));
    expect(r.status).toBe(200);
    expect(text(r.body, 'HwAddress')).toBe(c.mac);
    expect(text(r.body, 'Address')).toBe(c.host);
  });

  it('serves ONVIF, RTSP and WS-Discovery at the new address on the same ports, nothing at the old one', async () => {
    const c = site.cameras[0]!;
    const [oldHost, onvifPort, rtspPort, endpointRef] = [c.host, c.onvifPort, c.rtspPort, c.endpointRef];
    const newHost = await c.moveTo();
    expect(newHost).not.toBe(oldHost);
    expect(site.cameras.map((x) => x.host)).not.toContain(oldHost);
    expect([c.host, c.onvifPort, c.rtspPort, c.endpointRef]).toEqual([
      newHost,
      onvifPort,
      rtspPort,
      endpointRef,
    ]);
    expect(c.onvifUrl).toContain(`//${newHost}:${onvifPort}/`);
    expect(await refused(oldHost, onvifPort)).toBe(true);
    expect(await refused(oldHost, rtspPort)).toBe(true);
    expect(await refused(newHost, rtspPort)).toBe(false);

    const r = await soap(c.onvifUrl, op('GetNetworkInterfaces'), await signed(c));
    expect([text(r.body, 'HwAddress'), text(r.body, 'Address')]).toEqual([c.mac, newHost]);
    const uri = await soap(
      c.onvifUrl,
      op('GetStreamUri', NS_MEDIA, '<ProfileToken>Profile_1</ProfileToken>'),
      await signed(c),
    );
    expect(text(uri.body, 'Uri')).toContain(`rtsp://${newHost}:${rtspPort}/`);
    const replies = await probe(newHost, site.discoveryPort);
    expect(replies.some((x) => x.text.includes(endpointRef) && x.from.address === newHost)).toBe(true);
    // A second move takes yet another address.
    expect(await c.moveTo()).not.toBe(newHost);
  });
});

describe('failing ONVIF operations', () => {
  it('answers a Receiver fault, or nothing, for the chosen operation only, until healed', async () => {
    const c = site.cameras[1]!;
    const profiles = async () => soap(c.onvifUrl, op('GetProfiles', NS_MEDIA), await signed(c));
    c.failCall('GetProfiles', 'fault');
    const f = await profiles();
    expect(f.status).toBe(500);
    expect(f.body).toContain('GetProfiles failed (simulated)');
    expect((await soap(c.onvifUrl, op('GetDeviceInformation'), await signed(c))).status).toBe(200);

    c.failCall('GetProfiles', 'hang');
    const header = await signed(c);
    await expect(
      http(c.onvifUrl, {
        body: `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${header}<s:Body>${op('GetProfiles', NS_MEDIA)}</s:Body></s:Envelope>`,
        headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' },
        timeoutMs: 1500,
      }),
    ).rejects.toThrow('timeout');

    c.failCall('GetProfiles', null);
    expect((await profiles()).status).toBe(200);
  });
});
