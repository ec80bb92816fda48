// Per-camera identity: serial, MAC and WS-Discovery endpoint reference, unique per site and camera.
import type { PersonalityDef } from './personalities.ts';

export interface Identity {
  serial: string;
  mac: string;
  endpointRef: string;
}

/** Unique per camera and per site: the site tag is random, the index distinguishes cameras in a site. */
export function identity(
  def: PersonalityDef,
  siteTag: number,
  index: number,
  serialOverride?: string,
): Identity {
  const b1 = (siteTag >> 8) & 0xff;
  const b2 = siteTag & 0xff;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const mac = `${def.oui}:${hex(b1)}:${hex(b2)}:${hex(index & 0xff)}`;
  const macHex = mac.replace(/:/g, '');
  const rand = String(siteTag * 256 + index).padStart(8, '0');
  const serial = serialOverride ?? (def.name === 'axis' ? macHex.toUpperCase() : def.serial(rand));
  const u = `${hex(b1)}${hex(b2)}${hex(index & 0xff)}${def.name.slice(0, 1).charCodeAt(0).toString(16)}`;
  const endpointRef =
    def.name === 'noname'
      ? mac // a MAC as the endpoint id, as no-name boards do
      : def.name === 'dahua'
        ? `uuid:${u}-564e-4436-bec5-${macHex}` // "uuid:" without "urn:", as the Amcrest capture
        : `urn:uuid:${u}-dc8b-11df-b255-${macHex}`;
  return { serial, mac, endpointRef };
}
