// Which ONVIF address to use for a device that answered a probe. Pure.
// FIELD-NOTES: XAddrs may list link-local, IPv6 and stale addresses; a device may answer from an
// address that is not in its XAddrs (NAT, two NICs). We only ever contact addresses on the
// receiving interface's subnet or the datagram's own source, never an arbitrary XAddr host.

export function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function inSubnet(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base ?? '');
  // "10.0.0.0/" must not read as /0, which would put every address on the subnet.
  const bits = /^\d{1,2}$/.test(bitsText ?? '') ? Number(bitsText) : NaN;
  if (a === null || b === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

/** Every host address of a CIDR range (network and broadcast excluded for ranges wider than /31). */
export function hostsOf(cidr: string): string[] {
  const [base, bitsText] = cidr.split('/');
  const b = ipv4ToInt(base ?? '');
  const bits = /^\d{1,2}$/.test(bitsText ?? '') ? Number(bitsText) : NaN;
  if (b === null || !(bits >= 16 && bits <= 32)) return [];
  const size = 2 ** (32 - bits);
  const start = (b & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  if (size <= 2) return Array.from({ length: size }, (_, i) => intToIpv4(start + i));
  return Array.from({ length: size - 2 }, (_, i) => intToIpv4(start + 1 + i));
}

/**
 * Candidate device-service URLs in the order to try: http(s) IPv4 XAddrs on the receiving
 * interface's subnet (the datagram source first), then the source address with the first
 * XAddr's port and path.
 */
export function candidateUrls(xaddrs: string[], source: string, interfaceCidr: string | null): string[] {
  const urls = xaddrs.flatMap((x) => {
    try {
      const u = new URL(x);
      return u.protocol === 'http:' || u.protocol === 'https:' ? [u] : [];
    } catch {
      return [];
    }
  });
  const parsed = urls.filter((u) => ipv4ToInt(u.hostname) !== null);
  const onSubnet = parsed.filter(
    (u) => u.hostname === source || (interfaceCidr !== null && inSubnet(u.hostname, interfaceCidr)),
  );
  onSubnet.sort((a, b) => Number(b.hostname === source) - Number(a.hostname === source));
  const out = onSubnet.map((u) => u.href);
  // An IPv6-only or link-local XAddr still tells us the port and path.
  const template = parsed[0] ?? urls[0];
  if (template && template.hostname !== source) {
    const viaSource = new URL(template.href);
    viaSource.hostname = source;
    out.push(viaSource.href);
  } else if (!template) {
    out.push(`http://${source}/onvif/device_service`);
  }
  return [...new Set(out)];
}
