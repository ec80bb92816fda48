// Which addresses the gateway may contact for a device that answered a probe. The safety rule:
// only the datagram's source or an address on the receiving interface's subnet, never an
// arbitrary host a reply names.
import { describe, expect, it } from 'vitest';
import { candidateUrls, hostsOf, inSubnet, intToIpv4, ipv4ToInt } from '../../src/core/xaddr.ts';

describe('ipv4ToInt and intToIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.168.1.1', 0xc0a80101],
    ['255.255.255.255', 0xffffffff],
  ])('%s <-> %i', (ip, n) => {
    expect(ipv4ToInt(ip)).toBe(n);
    expect(intToIpv4(n)).toBe(ip);
  });

  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.x', '', ' 1.2.3.4', '-1.2.3.4', 'fe80::1'])(
    'rejects %j',
    (ip) => {
      expect(ipv4ToInt(ip)).toBeNull();
    },
  );
});

describe('inSubnet', () => {
  it.each([
    ['192.168.1.77', '192.168.1.0/24', true],
    ['192.168.1.77', '192.168.1.200/24', true],
    ['192.168.2.77', '192.168.1.0/24', false],
    ['192.168.20.31', '192.168.0.0/16', true],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['10.0.0.5', '10.0.0.5/32', true],
    ['10.0.0.6', '10.0.0.5/32', false],
    ['10.0.0.4', '10.0.0.5/31', true],
    ['10.0.0.6', '10.0.0.5/31', false],
    ['169.254.76.145', '192.168.1.0/24', false],
    // Invalid input is never "on the subnet".
    ['192.168.1.5', '10.0.0.0/', false],
    ['192.168.1.5', '10.0.0.0', false],
    ['192.168.1.5', '10.0.0.0/33', false],
    ['192.168.1.5', '192.168.1.0/24.5', false],
    ['192.168.1.5', '192.168.1.0/abc', false],
    ['192.168.1.5', 'x/24', false],
    ['not-an-ip', '192.168.1.0/24', false],
    ['fe80::1', '192.168.1.0/24', false],
  ])('inSubnet(%j, %j) = %j', (ip, cidr, expected) => {
    expect(inSubnet(ip, cidr)).toBe(expected);
  });
});

describe('hostsOf', () => {
  it('gives the 254 hosts of a /24, without network and broadcast', () => {
    const hosts = hostsOf('192.168.20.0/24');
    expect(hosts).toHaveLength(254);
    expect(hosts[0]).toBe('192.168.20.1');
    expect(hosts.at(-1)).toBe('192.168.20.254');
    expect(new Set(hosts).size).toBe(254);
  });

  it('aligns a range written with a host address', () => {
    expect(hostsOf('192.168.20.77/24')).toEqual(hostsOf('192.168.20.0/24'));
  });

  it.each([
    ['10.0.0.4/30', ['10.0.0.5', '10.0.0.6']],
    // RFC 3021: both addresses of a /31 are hosts.
    ['10.0.0.5/31', ['10.0.0.4', '10.0.0.5']],
    ['10.0.0.5/32', ['10.0.0.5']],
  ])('hostsOf(%j) = %j', (cidr, expected) => {
    expect(hostsOf(cidr)).toEqual(expected);
  });

  it('gives the 65534 hosts of a /16, the widest range it scans', () => {
    expect(hostsOf('172.16.0.0/16')).toHaveLength(65534);
  });

  it.each([
    '10.0.0.0/15',
    '10.0.0.0/8',
    '',
    'x/24',
    '300.1.1.1/24',
    '10.0.0.0/',
    '10.0.0.0/abc',
    '10.0.0.0',
    '10.0.0.0/24.5',
    '10.0.0.0/33',
  ])('gives [] for %j', (cidr) => {
    expect(hostsOf(cidr)).toEqual([]);
  });
});

describe('candidateUrls', () => {
  const LAN = '192.168.1.0/24';

  it.each([
    [
      'Axis reply listing a 169.254 link-local and the routable address (fixture)',
      ['http://169.254.76.145/onvif/services', 'http://192.168.1.24/onvif/services'],
      '192.168.1.24',
      LAN,
      ['http://192.168.1.24/onvif/services'],
    ],
    [
      'IPv6 link-local, 169.254 and routable XAddrs',
      [
        'http://[fe80::240:8cff:fe18:36b2]/onvif/device_service',
        'http://169.254.76.145/onvif/device_service',
        'http://192.168.1.24/onvif/device_service',
      ],
      '192.168.1.24',
      LAN,
      ['http://192.168.1.24/onvif/device_service'],
    ],
    [
      'a reply from an address not in its XAddrs (NAT, stale static IP): the source, with the XAddr port and path',
      ['http://10.8.0.12:8000/onvif/device_service'],
      '192.168.1.50',
      LAN,
      ['http://192.168.1.50:8000/onvif/device_service'],
    ],
    [
      'a Tapo reply with only an IPv6 XAddr: its port and path on the source',
      ['http://[fe80::5e62:8bff:fe00:1]:2020/onvif/service'],
      '192.168.1.60',
      LAN,
      ['http://192.168.1.60:2020/onvif/service'],
    ],
    [
      'a second NIC on the same subnet: the source first, then the other address',
      ['http://192.168.1.51/onvif/device_service', 'http://192.168.1.50/onvif/device_service'],
      '192.168.1.50',
      LAN,
      ['http://192.168.1.50/onvif/device_service', 'http://192.168.1.51/onvif/device_service'],
    ],
    [
      'duplicates, including an explicit default port, removed',
      [
        'http://192.168.1.24/onvif/device_service',
        'http://192.168.1.24:80/onvif/device_service',
        'http://192.168.1.24/onvif/device_service',
      ],
      '192.168.1.24',
      LAN,
      ['http://192.168.1.24/onvif/device_service'],
    ],
    [
      'https kept as https',
      ['https://10.8.0.12/onvif/device_service'],
      '192.168.1.50',
      LAN,
      ['https://192.168.1.50/onvif/device_service'],
    ],
    [
      'no XAddrs at all: the ONVIF default path on the source',
      [],
      '192.168.1.70',
      LAN,
      ['http://192.168.1.70/onvif/device_service'],
    ],
    [
      'only unusable XAddrs: the default path on the source',
      ['soap.udp://192.168.1.70:3702', 'not a url', 'SERVICE_URI'],
      '192.168.1.70',
      LAN,
      ['http://192.168.1.70/onvif/device_service'],
    ],
    [
      'no interface subnet known: the source only',
      ['http://192.168.1.51/onvif/device_service'],
      '192.168.1.50',
      null,
      ['http://192.168.1.50/onvif/device_service'],
    ],
  ])('%s', (_name, xaddrs, source, cidr, expected) => {
    expect(candidateUrls(xaddrs, source, cidr)).toEqual(expected);
  });

  describe('never yields a host that is neither the source nor on the receiving subnet', () => {
    const hostile = [
      'http://8.8.8.8/onvif/device_service',
      'http://10.0.0.1/onvif/device_service',
      'http://127.0.0.1:8080/onvif/device_service',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/onvif/device_service',
      'http://255.255.255.255/onvif/device_service',
      'http://224.0.0.1/onvif/device_service',
      'http://134744072/onvif/device_service', // 8.8.8.8 as one integer
      'http://0x08080808/onvif/device_service', // 8.8.8.8 in hex
      'http://192.168.1.24@8.8.8.8/onvif/device_service', // the subnet address is only userinfo
      'http://[::ffff:8.8.8.8]/onvif/device_service',
      'http://printer.example.com/onvif/device_service',
      'http://192.168.2.24/onvif/device_service',
    ];
    const allowed = (host: string, source: string, cidr: string | null) =>
      host === source || (cidr !== null && inSubnet(host, cidr));

    it.each([
      ['192.168.1.50', LAN],
      ['192.168.1.50', '192.168.1.50/32'],
      ['192.168.1.50', null],
    ])('source %s, interface %s', (source, cidr) => {
      for (const x of hostile) {
        for (const xaddrs of [
          [x],
          [x, 'http://192.168.1.24/onvif/device_service'],
          ['http://192.168.1.24/onvif/device_service', x],
        ]) {
          const urls = candidateUrls(xaddrs, source, cidr);
          expect(urls.length).toBeGreaterThan(0);
          for (const u of urls)
            expect(allowed(new URL(u).hostname, source, cidr), `${u} from ${JSON.stringify(xaddrs)}`).toBe(
              true,
            );
        }
      }
      // All of them at once still yields nothing else.
      const urls = candidateUrls(hostile, source, cidr);
      expect(urls.map((u) => new URL(u).hostname).filter((h) => !allowed(h, source, cidr))).toEqual([]);
    });
  });
});
