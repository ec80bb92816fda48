// GetNetworkInterfaces: the MAC of the interface the gateway reached, the identity that survives a
// DHCP move. Replies shaped per the ONVIF device WSDL (no capture exists in test/fixtures/onvif).
import { describe, expect, it } from 'vitest';
import { parseNetworkInterfaces } from '../../src/onvif/parse/network-interfaces.ts';

const envelope = (body: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">' +
  `<env:Body><tds:GetNetworkInterfacesResponse>${body}</tds:GetNetworkInterfacesResponse></env:Body></env:Envelope>`;

const nic = (token: string, mac: string, address: string, opts: { enabled?: boolean; dhcp?: boolean } = {}) =>
  `<tds:NetworkInterfaces token="${token}"><tt:Enabled>${opts.enabled === false ? 'false' : 'true'}</tt:Enabled>` +
  `<tt:Info><tt:Name>${token}</tt:Name><tt:HwAddress>${mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
  `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>` +
  (opts.dhcp
    ? `<tt:FromDHCP><tt:Address>${address}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:FromDHCP>`
    : `<tt:Manual><tt:Address>${address}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>`) +
  `<tt:DHCP>${opts.dhcp ? 'true' : 'false'}</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces>`;

describe('parseNetworkInterfaces', () => {
  it('reads the MAC of a one-interface camera, normalised', () => {
    expect(parseNetworkInterfaces(envelope(nic('eth0', '44-19-B6-BE-90-00', '192.168.1.64')))).toBe(
      '44:19:b6:be:90:00',
    );
  });

  it('picks the interface holding the address reached (an NVR has several), DHCP or manual', () => {
    const xml = envelope(
      nic('eth0', '00:12:34:00:00:01', '10.0.0.2') +
        nic('eth1', '00:12:34:00:00:02', '192.168.1.64', { dhcp: true }),
    );
    expect(parseNetworkInterfaces(xml, '192.168.1.64')).toBe('00:12:34:00:00:02');
    // An address none of them holds (NAT): the first enabled interface.
    expect(parseNetworkInterfaces(xml, '203.0.113.5')).toBe('00:12:34:00:00:01');
  });

  it('skips disabled interfaces and invalid MACs when no address matches', () => {
    const xml = envelope(
      nic('eth0', '00:00:00:00:00:00', '10.0.0.2') +
        nic('wlan0', '00:12:34:00:00:03', '10.0.1.2', { enabled: false }) +
        nic('eth1', '00:12:34:00:00:04', '10.0.2.2'),
    );
    expect(parseNetworkInterfaces(xml, '192.168.1.64')).toBe('00:12:34:00:00:04');
  });

  it('gives null for an empty list or a reply without HwAddress', () => {
    expect(parseNetworkInterfaces(envelope(''))).toBeNull();
    expect(parseNetworkInterfaces(envelope(nic('eth0', '', '192.168.1.64')))).toBeNull();
  });
});
