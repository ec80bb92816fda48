// SOAP envelope and fault handling shared by every ONVIF response parser.
import type { SoapFault } from '../../core/camera.ts';
import { child, children, localName, parseXml, text, attr } from '../xml.ts';
import type { XmlNode } from '../xml.ts';

/** What every parser accepts: the raw reply, or a tree already parsed (e.g. with a larger size limit). */
export type XmlSource = string | XmlNode;

/** The reply is well-formed XML (or an HTML page) but not a SOAP envelope. */
export class NotSoapError extends Error {
  override readonly name = 'NotSoapError';
  constructor(
    /** Local name of the root element, or 'html' for a sniffed HTML page. */
    readonly root: string,
  ) {
    super(`response is not a SOAP envelope (root element <${root.slice(0, 40)}>)`);
  }
}

/** A parser was handed a SOAP fault where it expected a response. */
export class SoapFaultError extends Error {
  override readonly name = 'SoapFaultError';
  constructor(readonly fault: SoapFault) {
    super(
      `SOAP fault ${fault.code}${fault.subcode ? `/${fault.subcode}` : ''}: ${fault.reason.slice(0, 120)}`,
    );
  }
}

export interface SoapParts {
  envelope: XmlNode;
  header: XmlNode | undefined;
  body: XmlNode;
}

/**
 * Cameras answer 401/404 with HTML, often behind a DOCTYPE that parseXml would refuse as an entity
 * risk. Skips a declaration and comments without regex backtracking (hostile input).
 */
function looksLikeHtml(xml: string): boolean {
  let s = xml
    .slice(0, 4096)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (s.startsWith('<?xml')) s = s.slice(s.indexOf('>') + 1).trimStart();
  while (s.startsWith('<!--')) {
    const end = s.indexOf('-->');
    if (end < 0) return false;
    s = s.slice(end + 3).trimStart();
  }
  return /^(?:<!doctype\s+html\b[^[>]*>|<html[\s>])/i.test(s);
}

export function soapParts(xml: XmlSource): SoapParts {
  if (typeof xml === 'string' && looksLikeHtml(xml)) throw new NotSoapError('html');
  const root = typeof xml === 'string' ? parseXml(xml) : xml;
  const body = root.name === 'Envelope' ? child(root, 'Body') : undefined;
  if (!body) throw new NotSoapError(root.name);
  return { envelope: root, header: child(root, 'Header'), body };
}

/** The SOAP Body element. Throws XmlError for bad XML and NotSoapError when there is no Envelope/Body. */
export function soapBody(xml: XmlSource): XmlNode {
  if (typeof xml !== 'string' && xml.name === 'Body') return xml;
  return soapParts(xml).body;
}

/**
 * ONVIF Core "generic faults": the first-level subcodes a client branches on. Specific faults
 * (ter:AudioNotSupported, ter:InvalidParameter...) nest below them.
 */
const GENERIC_SUBCODES = new Set([
  'WellFormed',
  'TagMismatch',
  'Tag',
  'Namespace',
  'MissingAttr',
  'ProhibAttr',
  'InvalidArgs',
  'InvalidArgVal',
  'UnknownAction',
  'OperationProhibited',
  'NotAuthorized',
  'ActionNotSupported',
  'Action',
  'OutofMemory',
  'CriticalError',
]);

/** Parsed fault; `subcodes` is the whole Subcode chain, outermost first, local names. */
export interface ParsedFault extends SoapFault {
  subcodes: string[];
}

/**
 * The fault in a reply (Envelope, Body or Fault node, or raw XML), or null when the reply is not a fault.
 * `subcode` is the innermost generic ONVIF subcode of the chain (so NotAuthorized wins even when nested
 * under another generic one), else the innermost subcode; SOAP 1.1 faultcode/faultstring also understood.
 */
export function parseFault(xml: XmlSource): ParsedFault | null {
  const fault = typeof xml !== 'string' && xml.name === 'Fault' ? xml : child(soapBody(xml), 'Fault');
  if (!fault) return null;
  const code11 = child(fault, 'faultcode');
  if (code11) {
    const code = localName(text(code11));
    const subcode = GENERIC_SUBCODES.has(code) ? code : null;
    return { code, subcode, reason: text(child(fault, 'faultstring')), subcodes: subcode ? [subcode] : [] };
  }
  const codeNode = child(fault, 'Code');
  const subcodes: string[] = [];
  // Iterative walk: a hostile reply may nest Subcode as deep as the parser allows.
  for (let sub = child(codeNode, 'Subcode'); sub; sub = child(sub, 'Subcode')) {
    const value = localName(text(child(sub, 'Value')));
    if (value) subcodes.push(value);
  }
  const generic = subcodes.filter((s) => GENERIC_SUBCODES.has(s));
  return {
    code: localName(text(child(codeNode, 'Value'))),
    subcode: generic.at(-1) ?? subcodes.at(-1) ?? null,
    reason: faultReason(fault),
    subcodes,
  };
}

function faultReason(fault: XmlNode): string {
  const texts = children(child(fault, 'Reason'), 'Text');
  const en = texts.find((t) => (attr(t, 'lang') ?? '').toLowerCase().startsWith('en'));
  return text(en ?? texts[0]).replace(/\s+/g, ' ');
}

/**
 * The response element `name` inside the Body (undefined when absent). Throws SoapFaultError when the
 * Body carries a fault, so a refused call never reads as an empty answer.
 */
export function soapResponse(xml: XmlSource, name: string): XmlNode | undefined {
  const body = soapBody(xml);
  const fault = parseFault(body);
  if (fault) throw new SoapFaultError(fault);
  return child(body, name);
}
