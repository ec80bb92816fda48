// GetCapabilities (deprecated but universal): device and Media1 endpoints. It cannot announce Media2.
import type { ServiceEndpoints } from '../../core/camera.ts';
import { find, text } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

export function parseCapabilities(xml: XmlSource): ServiceEndpoints {
  const caps = find(soapResponse(xml, 'GetCapabilitiesResponse'), ['Capabilities']);
  return {
    device: text(find(caps, ['Device', 'XAddr'])) || null,
    media: text(find(caps, ['Media', 'XAddr'])) || null,
    media2: null,
  };
}
