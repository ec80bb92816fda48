// GetServices: every service the device offers, matched by namespace (the only way to find Media2).
import type { ServiceEndpoints } from '../../core/camera.ts';
import { child, children, find, num, text } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

export const NS_DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
export const NS_MEDIA = 'http://www.onvif.org/ver10/media/wsdl';
export const NS_MEDIA2 = 'http://www.onvif.org/ver20/media/wsdl';

export interface ServiceEntry {
  namespace: string;
  xaddr: string;
  /** 'major.minor', or null when the device did not say. */
  version: string | null;
}

export type ServiceList = ServiceEndpoints & { all: ServiceEntry[] };

export function parseServices(xml: XmlSource): ServiceList {
  const all = children(soapResponse(xml, 'GetServicesResponse'), 'Service').map((s): ServiceEntry => {
    const major = num(find(s, ['Version', 'Major']));
    const minor = num(find(s, ['Version', 'Minor']));
    return {
      namespace: text(child(s, 'Namespace')),
      xaddr: text(child(s, 'XAddr')),
      version: major !== null && minor !== null ? `${major}.${minor}` : null,
    };
  });
  const xaddr = (ns: string): string | null => all.find((s) => s.namespace === ns && s.xaddr)?.xaddr ?? null;
  return { device: xaddr(NS_DEVICE), media: xaddr(NS_MEDIA), media2: xaddr(NS_MEDIA2), all };
}
