// GetStreamUri / GetSnapshotUri replies, Media1 (MediaUri/Uri) and Media2 (Uri).
import { child, find, text } from '../xml.ts';
import { soapBody, parseFault, SoapFaultError } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

const RESPONSES = ['GetStreamUriResponse', 'GetSnapshotUriResponse'];

/** The URI exactly as the device sent it, minus surrounding whitespace; null when absent or empty. */
export function parseMediaUri(xml: XmlSource): string | null {
  const body = soapBody(xml);
  const fault = parseFault(body);
  if (fault) throw new SoapFaultError(fault);
  const r = body.children.find((c) => RESPONSES.includes(c.name));
  return text(find(r, ['MediaUri', 'Uri']) ?? child(r, 'Uri')) || null;
}
