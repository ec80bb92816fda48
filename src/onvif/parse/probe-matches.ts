// WS-Discovery: the Probe we multicast and the ProbeMatches cameras (and NASes, printers...) send back.
import type { ProbeMatch } from '../../core/camera.ts';
import { child, children, escapeXml, find, num, text } from '../xml.ts';
import type { XmlNode } from '../xml.ts';
import { soapParts } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

export interface ProbeMatches {
  relatesTo: string | null;
  matches: ProbeMatch[];
}

/** Throws XmlError/NotSoapError for junk; the socket handler must catch, a datagram is never trusted. */
export function parseProbeMatches(xml: XmlSource): ProbeMatches {
  const { header, body } = soapParts(xml);
  return {
    relatesTo: text(child(header, 'RelatesTo')) || null,
    matches: children(child(body, 'ProbeMatches'), 'ProbeMatch').map(toMatch),
  };
}

function toMatch(m: XmlNode): ProbeMatch {
  const version = num(child(m, 'MetadataVersion'));
  return {
    endpoint: text(find(m, ['EndpointReference', 'Address'])),
    // QName tokens lose their prefix ('dn:NetworkVideoTransmitter'); bogus ones are kept, minus prefix.
    types: tokens(child(m, 'Types')).map((t) => t.replace(/^[A-Za-z_][\w.-]*:/, '')),
    scopes: tokens(child(m, 'Scopes')),
    // Any whitespace separates XAddrs, newlines included (the onvif package drops such devices).
    xaddrs: tokens(child(m, 'XAddrs')),
    metadataVersion: version !== null && Number.isInteger(version) ? version : null,
  };
}

function tokens(node: XmlNode | undefined): string[] {
  return text(node)
    .split(/\s+/)
    .filter((t) => t !== '');
}

export const DISCOVERY_ADDRESS = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery';
export const PROBE_ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe';
export const DEFAULT_PROBE_TYPES = 'dn:NetworkVideoTransmitter';

/**
 * A WS-Discovery Probe envelope. `types` defaults to dn:NetworkVideoTransmitter; pass null (or '')
 * for an untyped Probe, which some cameras answer when they ignore a typed one.
 */
export function buildProbe(messageId: string, types: string | null = DEFAULT_PROBE_TYPES): string {
  const typesXml = types ? `<d:Types>${escapeXml(types)}</d:Types>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"' +
    ' xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"' +
    ' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"' +
    ' xmlns:dn="http://www.onvif.org/ver10/network/wsdl"' +
    ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>${escapeXml(messageId)}</a:MessageID>` +
    '<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    `<a:To s:mustUnderstand="true">${DISCOVERY_ADDRESS}</a:To>` +
    `<a:Action s:mustUnderstand="true">${PROBE_ACTION}</a:Action>` +
    '</s:Header>' +
    `<s:Body><d:Probe>${typesXml}</d:Probe></s:Body>` +
    '</s:Envelope>'
  );
}
