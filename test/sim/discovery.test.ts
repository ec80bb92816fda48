// WS-Discovery of the simulated cameras in loopback mode: unicast probes to each camera's own address
// and multicast to the site's group on lo.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimCamera, SimSite } from './site.ts';
import { http, op, probe, probeXml, soap, text } from './test-clients.ts';

let site: SimSite;
const cam = (id: string): SimCamera => {
  const c = site.cameras.find((x) => x.spec.id === id);
  if (!c) throw new Error(id);
  return c;
};
const probeCam = (c: SimCamera, xml?: string) => probe(c.host, site.discoveryPort, { xml, waitMs: 800 });

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik', personality: 'hikvision', rtsp: false },
      { id: 'dahua-wrong', personality: 'dahua', xaddrStyle: 'wrong-host', rtsp: false },
      { id: 'axis-multi', personality: 'axis', xaddrStyle: 'multi', rtsp: false },
      { id: 'nn', personality: 'noname', rtsp: false },
      { id: 'nas', personality: 'hikvision', behaviour: 'not-a-camera' },
      { id: 'hidden', personality: 'hikvision', discoverable: false, rtsp: false },
      { id: 'evil', personality: 'hikvision', behaviour: 'entity-xml' },
    ],
  });
});
afterAll(() => site?.stop());

describe('unicast probes', () => {
  it('answers with ProbeMatches related to the probe, from its own address and the discovery port', async () => {
    const ids = ['hik', 'dahua-wrong', 'axis-multi', 'nn'];
    const messageId = (id: string) => `uuid:${id}-0000-4000-8000-000000000001`;
    const all = await Promise.all(ids.map((id) => probeCam(cam(id), probeXml(messageId(id)))));
    ids.forEach((id, i) => {
      const c = cam(id);
      const replies = all[i] ?? [];
      expect(replies.length, id).toBeGreaterThan(0);
      for (const r of replies) {
        expect(r.from.address, id).toBe(c.host);
        expect(r.from.port, id).toBe(site.discoveryPort);
        expect(text(r.text, 'RelatesTo'), id).toBe(messageId(id));
        expect(r.text, id).toMatch(/<[\w-]+:ProbeMatch>/);
        expect(r.text, id).toContain(c.endpointRef);
      }
    });
  });

  it('Hikvision replies twice with the same message; the others once', async () => {
    const [hik, dahua] = await Promise.all([probeCam(cam('hik')), probeCam(cam('dahua-wrong'))]);
    expect(hik).toHaveLength(2);
    expect(text(hik[0]?.text ?? '', 'MessageID')).toBe(text(hik[1]?.text ?? '', 'MessageID'));
    expect(dahua).toHaveLength(1);
  });

  it('wrong-host XAddrs name an unreachable host; the source address with the XAddr port+path works', async () => {
    const c = cam('dahua-wrong');
    const [reply] = await probeCam(c);
    const xaddr = new URL(text(reply?.text ?? '', 'XAddrs') ?? '');
    expect(xaddr.hostname).not.toBe(c.host);
    await expect(http(xaddr.href, { body: '' })).rejects.toThrow(/ECONNREFUSED/);
    const fallback = `http://${reply?.from.address}:${xaddr.port}${xaddr.pathname}`;
    expect(fallback).toBe(c.onvifUrl);
    expect((await soap(fallback, op('GetSystemDateAndTime'))).status).toBe(200);
  });

  it('multi XAddrs list link-local v4 and v6 and the real one, newline-separated', async () => {
    const c = cam('axis-multi');
    const [reply] = await probeCam(c);
    const raw = /<d:XAddrs>([^<]*)<\/d:XAddrs>/.exec(reply?.text ?? '')?.[1] ?? '';
    expect(raw).toContain('\n');
    const list = raw.trim().split(/\s+/);
    expect(list).toHaveLength(3);
    expect(list[0]).toMatch(/^http:\/\/169\.254\./);
    expect(list[1]).toMatch(/^http:\/\/\[fe80::/);
    expect(list[2]).toBe(c.onvifUrl);
  });

  it('the no-name board has bogus Types, a MAC as endpoint and the batch serial', async () => {
    const c = cam('nn');
    const [reply] = await probeCam(c);
    expect(text(reply?.text ?? '', 'Types')).toMatch(/^tdn:[0-9a-f-]{36}$/);
    expect(c.endpointRef).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(c.serial).toBe('00000000');
    expect(c.onvifUrl).toMatch(/\/onvif\/services$/);
  });

  it('a NAS answers with an empty ProbeMatches and HTML 404s to SOAP', async () => {
    const c = cam('nas');
    const [reply] = await probeCam(c);
    expect(reply?.text).toContain('<wsd:ProbeMatches/>');
    const r = await soap(c.onvifUrl, op('GetSystemDateAndTime'));
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/html');
  });

  it('entity-xml answers with a DOCTYPE of nested entities', async () => {
    const [reply] = await probeCam(cam('evil'));
    expect(reply?.text).toContain('<!ENTITY lol9 "&lol8;&lol8;');
    expect(reply?.text).toContain('&lol9;');
  });

  it('stays silent when not discoverable, for other device types, and after junk datagrams', async () => {
    const [hidden, printer] = await Promise.all([
      probeCam(cam('hidden')),
      probeCam(cam('hik'), probeXml(undefined, 'wsdp:Printer')),
    ]);
    expect(hidden).toHaveLength(0);
    expect(printer).toHaveLength(0);
    const junk = dgram.createSocket('udp4');
    await new Promise<void>((r) =>
      junk.send(Buffer.from('\x00<not xml'), site.discoveryPort, cam('hik').host, () => r()),
    );
    junk.close();
    expect(await probeCam(cam('hik'))).toHaveLength(2);
  });
});

describe('multicast on loopback', () => {
  it('a probe sent to the site group via 127.0.0.1 reaches every discoverable device', async () => {
    const replies = await probe(site.discoveryGroup, site.discoveryPort, { multicastInterface: '127.0.0.1' });
    const from = new Set(replies.map((r) => r.from.address));
    const expected = site.cameras.filter((c) => c.spec.discoverable !== false).map((c) => c.host);
    expect([...from].sort()).toEqual(expected.sort());
    expect(replies.filter((r) => r.from.address === cam('hik').host)).toHaveLength(2);
  });
});
