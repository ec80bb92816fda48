// SOAP envelopes and faults in each vendor's own shape: the head (XML declaration, Envelope with the
// vendor's namespace list, Header) is cut from a captured reply of that vendor.
import { fixture } from './fixtures.ts';
import type { Personality } from './types.ts';
import { addNamespace, escapeXml, splitEnvelope } from './xml.ts';

export const NS = {
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
} as const;

const SOURCE: Record<Personality, string> = {
  hikvision: 'hikvision_ds-2cd2012-i_GetDeviceInformation.xml',
  dahua: 'dahua_ipc-unknown_GetSnapshotUri.xml',
  axis: 'axis_q6045-e_GetDeviceInformation.xml',
  noname: 'agsh-mockup_360vision-predator-derived_GetSystemDateAndTime.xml',
};

export const ENV_PREFIX: Record<Personality, string> = {
  hikvision: 'env',
  dahua: 's',
  axis: 'SOAP-ENV',
  noname: 'SOAP-ENV',
};

/** Wrap body content in the vendor's envelope, declaring any prefix the body uses that the head lacks. */
export function wrap(p: Personality, body: string): string {
  const parts = splitEnvelope(fixture(SOURCE[p]));
  const tail = parts.tail;
  let head = parts.head;
  if (p === 'dahua') {
    // Dahua declares only the prefixes a reply uses, on one line.
    head = head.replace(/ xmlns:trt="[^"]*"/, '');
  }
  for (const [prefix, uri] of Object.entries(NS)) {
    // Prefixes appear in element names and in QName values such as <env:Value>ter:NotAuthorized</...>.
    if (new RegExp(`[<>/\\s"]${prefix}:`).test(body)) head = addNamespace(head, prefix, uri);
  }
  return p === 'dahua' ? `${head}${body}${tail}` : `${head}\n    ${body.trim()}\n  ${tail.trimStart()}`;
}

export interface FaultSpec {
  code: 'Sender' | 'Receiver';
  /** Subcodes outermost first, e.g. ['ter:NotAuthorized'] or ['ter:InvalidArgVal', 'ter:NoProfile']. */
  subcodes: string[];
  reason: string;
  detail?: string;
}

/** SOAP 1.2 fault in the vendor's prefix; Axis always adds a Detail, as its captures do. */
export function faultBody(p: Personality, f: FaultSpec): string {
  const e = ENV_PREFIX[p];
  const nest = (codes: string[]): string =>
    codes.length === 0
      ? ''
      : `<${e}:Subcode><${e}:Value>${codes[0]}</${e}:Value>${nest(codes.slice(1))}</${e}:Subcode>`;
  const detail = f.detail ?? (p === 'axis' ? f.reason : undefined);
  return (
    `<${e}:Fault><${e}:Code><${e}:Value>${e}:${f.code}</${e}:Value>${nest(f.subcodes)}</${e}:Code>` +
    `<${e}:Reason><${e}:Text xml:lang="en">${escapeXml(f.reason)}</${e}:Text></${e}:Reason>` +
    (detail === undefined ? '' : `<${e}:Detail><${e}:Text>${escapeXml(detail)}</${e}:Text></${e}:Detail>`) +
    `</${e}:Fault>`
  );
}

export function fault(p: Personality, f: FaultSpec): string {
  return wrap(p, faultBody(p, f));
}

export const NOT_AUTHORIZED_TEXT =
  'The action requested requires authorization and the sender is not authorized';

/** NotAuthorized in the shape of the captured TRENDnet (Hikvision OEM) and Axis faults. */
export function notAuthorized(p: Personality, reason?: string): string {
  if (p === 'hikvision' && reason === undefined) {
    // The captured fault verbatim, minus the OEM's own namespace list.
    return wrap(
      p,
      splitEnvelope(fixture('trendnet_tv-ip320pi_Fault-NotAuthorized-GetDeviceInformation.xml')).body,
    );
  }
  if (p === 'axis' && reason === undefined) {
    return fixture('axis_q6045-e_Fault-NotAuthorized-GetSystemUris.xml');
  }
  return fault(p, {
    code: 'Sender',
    subcodes: ['ter:NotAuthorized'],
    reason: reason ?? (p === 'noname' ? 'Sender not authorized' : NOT_AUTHORIZED_TEXT),
  });
}

export function actionNotSupported(p: Personality, action: string): string {
  return fault(p, {
    code: 'Receiver',
    subcodes: ['ter:ActionNotSupported'],
    reason: 'Optional Action Not Implemented',
    detail: p === 'axis' || p === 'noname' ? `The action ${action} is not supported` : undefined,
  });
}

export function invalidArg(p: Personality, sub: string, reason: string): string {
  return fault(p, { code: 'Sender', subcodes: ['ter:InvalidArgVal', sub], reason });
}
