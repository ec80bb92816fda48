// GetNetworkInterfaces: the camera's own MAC address, the one identity that survives a DHCP move
// (a scan finds no endpoint reference, and serials are shared by some batches).
import { normaliseMac } from '../../core/scopes.ts';
import { child, children, find, text, type XmlNode } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

/** IPv4 addresses an interface says it has, manual and DHCP-assigned. */
function ipv4Of(nic: XmlNode): string[] {
  const config = find(nic, ['IPv4', 'Config']);
  return [...children(config, 'Manual'), ...children(config, 'FromDHCP'), ...children(config, 'LinkLocal')]
    .map((a) => text(child(a, 'Address')).trim())
    .filter(Boolean);
}

/**
 * The MAC of the interface that holds `address`, else of the first enabled interface (an NVR has
 * several; a camera behind NAT names an address we did not reach). Null when none has a valid MAC.
 */
export function parseNetworkInterfaces(xml: XmlSource, address?: string): string | null {
  const r = soapResponse(xml, 'GetNetworkInterfacesResponse');
  const nics = children(r, 'NetworkInterfaces')
    .map((n) => ({
      mac: normaliseMac(text(find(n, ['Info', 'HwAddress']))),
      enabled: text(child(n, 'Enabled')).trim() !== 'false',
      addresses: ipv4Of(n),
    }))
    .filter((n) => n.mac !== null);
  const match = address ? nics.find((n) => n.addresses.includes(address)) : undefined;
  return (match ?? nics.find((n) => n.enabled) ?? nics[0])?.mac ?? null;
}
