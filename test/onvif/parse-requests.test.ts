// Request bodies and the WS-Discovery Probe: right actions, well-formed XML, every value escaped.
import { describe, expect, it } from 'vitest';
import { attr, child, find, findDeep, parseXml, text } from '../../src/onvif/xml.ts';
import type { XmlNode } from '../../src/onvif/xml.ts';
import { buildProbe, parseProbeMatches } from '../../src/onvif/parse/probe-matches.ts';
import * as req from '../../src/onvif/parse/requests.ts';
import type { SoapRequest } from '../../src/onvif/parse/requests.ts';

const DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
const MEDIA = 'http://www.onvif.org/ver10/media/wsdl';
const MEDIA2 = 'http://www.onvif.org/ver20/media/wsdl';

/** The body must stand alone: parse it as its own document. */
const bodyOf = (r: SoapRequest): XmlNode => parseXml(r.body);

describe('request builders', () => {
  it.each<[string, SoapRequest, string, SoapRequest['service']]>([
    ['getSystemDateAndTime', req.getSystemDateAndTime(), `${DEVICE}/GetSystemDateAndTime`, 'device'],
    ['getDeviceInformation', req.getDeviceInformation(), `${DEVICE}/GetDeviceInformation`, 'device'],
    ['getCapabilities', req.getCapabilities(), `${DEVICE}/GetCapabilities`, 'device'],
    ['getServices', req.getServices(), `${DEVICE}/GetServices`, 'device'],
    ['getProfiles', req.getProfiles(), `${MEDIA}/GetProfiles`, 'media'],
    ['getProfiles2', req.getProfiles2(), `${MEDIA2}/GetProfiles`, 'media2'],
    ['getStreamUri', req.getStreamUri('p1'), `${MEDIA}/GetStreamUri`, 'media'],
    ['getStreamUri2', req.getStreamUri2('p1'), `${MEDIA2}/GetStreamUri`, 'media2'],
    ['getSnapshotUri', req.getSnapshotUri('p1'), `${MEDIA}/GetSnapshotUri`, 'media'],
    ['getSnapshotUri2', req.getSnapshotUri2('p1'), `${MEDIA2}/GetSnapshotUri`, 'media2'],
  ])('%s', (_name, r, action, service) => {
    expect(r.action).toBe(action);
    expect(r.service).toBe(service);
    const root = bodyOf(r);
    expect(root.name).toBe(action.slice(action.lastIndexOf('/') + 1));
    // The operation element declares its own namespace.
    expect(r.body).toContain(`="${action.slice(0, action.lastIndexOf('/'))}"`);
  });

  it('fills the parameters ONVIF requires', () => {
    expect(text(child(bodyOf(req.getCapabilities()), 'Category'))).toBe('All');
    expect(text(child(bodyOf(req.getServices()), 'IncludeCapability'))).toBe('false');
    expect(text(child(bodyOf(req.getServices(true)), 'IncludeCapability'))).toBe('true');
    expect(text(child(bodyOf(req.getProfiles2()), 'Type'))).toBe('All');
    const media1 = bodyOf(req.getStreamUri('Profile_1'));
    expect(text(find(media1, ['StreamSetup', 'Stream']))).toBe('RTP-Unicast');
    expect(text(find(media1, ['StreamSetup', 'Transport', 'Protocol']))).toBe('RTSP');
    expect(text(child(media1, 'ProfileToken'))).toBe('Profile_1');
    expect(req.getStreamUri('p').body).toContain('xmlns:tt="http://www.onvif.org/ver10/schema"');
    const media2 = bodyOf(req.getStreamUri2('MainStream'));
    expect(media2.children.map((c) => [c.name, c.text])).toEqual([
      ['Protocol', 'RTSP'],
      ['ProfileToken', 'MainStream'],
    ]);
  });

  it.each([
    ['getStreamUri', req.getStreamUri],
    ['getStreamUri2', req.getStreamUri2],
    ['getSnapshotUri', req.getSnapshotUri],
    ['getSnapshotUri2', req.getSnapshotUri2],
  ])('%s escapes the profile token', (_name, build) => {
    const token = `</tt:ProfileToken><evil a="1">&'`;
    const r = build(token);
    expect(r.body).not.toContain('<evil');
    expect(text(findDeep(bodyOf(r), 'ProfileToken'))).toBe(token);
  });
});

describe('buildProbe', () => {
  it('builds the standard typed WS-Discovery Probe', () => {
    const xml = buildProbe('uuid:0b5a3c7e-1111-4222-8333-444455556666');
    const root = parseXml(xml);
    expect(text(find(root, ['Header', 'MessageID']))).toBe('uuid:0b5a3c7e-1111-4222-8333-444455556666');
    expect(text(find(root, ['Header', 'To']))).toBe('urn:schemas-xmlsoap-org:ws:2005:04:discovery');
    expect(text(find(root, ['Header', 'Action']))).toBe(
      'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe',
    );
    expect(attr(find(root, ['Header', 'Action']), 'mustUnderstand')).toBe('true');
    expect(text(find(root, ['Body', 'Probe', 'Types']))).toBe('dn:NetworkVideoTransmitter');
    expect(xml).toContain('xmlns:dn="http://www.onvif.org/ver10/network/wsdl"');
    expect(xml).toContain('xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"');
    expect(xml).toContain('xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"');
  });

  it('builds an untyped Probe for cameras that ignore typed ones', () => {
    for (const probe of [buildProbe('uuid:1', null), buildProbe('uuid:1', '')]) {
      expect(find(parseXml(probe), ['Body', 'Probe'])?.children).toEqual([]);
    }
  });

  it('accepts other types and escapes every value', () => {
    const probe = buildProbe('uuid:<&>', 'tds:Device');
    expect(text(findDeep(parseXml(probe), 'MessageID'))).toBe('uuid:<&>');
    expect(text(findDeep(parseXml(probe), 'Types'))).toBe('tds:Device');
  });

  it('is a SOAP envelope our own discovery parser accepts', () => {
    expect(parseProbeMatches(buildProbe('uuid:2'))).toEqual({ relatesTo: null, matches: [] });
  });
});
