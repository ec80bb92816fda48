// MAC addresses of the cameras from the kernel's neighbour (ARP) table: once discovery has talked
// to a camera on the local network, the kernel knows its MAC; nothing is sent for it.
import { readFileSync } from 'node:fs';
import { normaliseMac } from '../core/scopes.ts';

/** IPv4 address -> MAC, from /proc/net/arp (complete entries only). */
export function parseArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, hw] = line.trim().split(/\s+/);
    const mac = normaliseMac(hw);
    // Flags 0x2 = ATF_COM: the entry is resolved.
    if (ip && mac && (Number(flags) & 2) === 2) out.set(ip, mac);
  }
  return out;
}

export function readArp(file = '/proc/net/arp'): Map<string, string> {
  try {
    return parseArp(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}
