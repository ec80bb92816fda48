// Untrusted input: whatever a device (or anything answering a Probe) sends must end in a typed error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { attr, parseXml, XmlError } from '../../src/onvif/xml.ts';
import type { XmlErrorKind } from '../../src/onvif/xml.ts';
import { NotSoapError, parseFault, soapBody } from '../../src/onvif/parse/envelope.ts';
import { parseProbeMatches } from '../../src/onvif/parse/probe-matches.ts';
import { parseMediaUri } from '../../src/onvif/parse/stream-uri.ts';

const SECRET = 'SECRET-MARKER-7f3a';
const dir = mkdtempSync(join(tmpdir(), 'onvif-xxe-'));
const secretFile = join(dir, 'secret.txt');
writeFileSync(secretFile, SECRET);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function expectXmlError(fn: () => unknown, kind: XmlErrorKind): XmlError {
  const err = errorOf(fn);
  expect(err).toBeInstanceOf(XmlError);
  expect((err as XmlError).kind).toBe(kind);
  return err as XmlError;
}

const soap = (body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>`;

describe('entity attacks', () => {
  const fileUrl = pathToFileURL(secretFile).href;
  const cases: [string, string][] = [
    ['billion laughs', BILLION_LAUGHS],
    ['external SYSTEM entity', `<!DOCTYPE r [<!ENTITY x SYSTEM "${fileUrl}">]><r>&x;</r>`],
    ['/etc/passwd entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'],
    ['parameter entity', `<!DOCTYPE r [<!ENTITY % p SYSTEM "${fileUrl}"> %p;]><r/>`],
    [
      'lower-case doctype inside a SOAP reply',
      `<!doctype s [<!ENTITY x SYSTEM "${fileUrl}">]>${soap('<a>&x;</a>')}`,
    ],
    ['external DTD only', `<!DOCTYPE r SYSTEM "${fileUrl}"><r/>`],
    ['stray ENTITY declaration', `<r><!ENTITY x SYSTEM "${fileUrl}"></r>`],
  ];

  it.each(cases)('%s is refused as entity, without reading anything', (_name, xml) => {
    const err = expectXmlError(() => parseXml(xml), 'entity');
    expect(err.message).not.toContain(SECRET);
    expect(errorOf(() => parseMediaUri(xml))).toBeInstanceOf(XmlError);
  });

  // An exponential expansion would never finish: the suite's timeout is the hang guard, not a threshold.
  it('refuses billion laughs without expanding it', () => {
    expectXmlError(() => parseXml(BILLION_LAUGHS), 'entity');
  });

  it('leaves undeclared named entities as written', () => {
    expect(parseXml('<a>&nbsp;&x;</a>').text).toBe('&nbsp;&x;');
  });
});

describe('size limit', () => {
  it('refuses a 2 MiB document as too-large', () => {
    const big = soap(`<a>${'x'.repeat(2 * 1024 * 1024)}</a>`);
    expectXmlError(() => parseXml(big), 'too-large');
    expectXmlError(() => soapBody(big), 'too-large');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const doc = `<a>${'ă'.repeat(60)}</a>`; // 67 characters, 127 bytes
    expect(parseXml(doc, { maxBytes: 127 }).text).toHaveLength(60);
    expectXmlError(() => parseXml(doc, { maxBytes: 100 }), 'too-large');
  });
});

describe('not SOAP', () => {
  const html: [string, string][] = [
    [
      'HTML 401 page with doctype',
      '<!DOCTYPE html>\n<html><head><title>401</title></head><body><br></body></html>',
    ],
    ['HTML page without doctype', '<html><body>Unauthorized<br></body></html>'],
    [
      'XHTML doctype with a DTD id',
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><html></html>',
    ],
    ['well-formed XHTML', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'],
    ['HTML after comments', '<!-- a --><!-- b -->\n<HTML><body>403</body></HTML>'],
  ];

  it.each(html)('%s -> NotSoapError', (_name, page) => {
    const err = errorOf(() => soapBody(page));
    expect(err).toBeInstanceOf(NotSoapError);
    expect((err as NotSoapError).root).toBe('html');
    expect(errorOf(() => parseProbeMatches(page))).toBeInstanceOf(NotSoapError);
  });

  it('sniffs HTML behind thousands of comments (a backtracking regex would never return)', () => {
    expectXmlError(() => soapBody(`${'<!---->'.repeat(2000)}<x>`), 'malformed');
  });

  it('rejects other XML roots and an Envelope without Body', () => {
    expect(errorOf(() => soapBody('<error code="5"/>'))).toEqual(new NotSoapError('error'));
    expect(errorOf(() => parseFault('<s:Envelope xmlns:s="x"><s:Header/></s:Envelope>'))).toBeInstanceOf(
      NotSoapError,
    );
  });
});

describe('malformed input', () => {
  const garbage: [string, string][] = [
    ['binary bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80, 0x3c, 0x00]).toString('latin1')],
    ['empty string', ''],
    ['whitespace', ' \n\t '],
    ['plain text', '401 Unauthorized'],
    ['JSON', '{"error":"unauthorized"}'],
    ['truncated datagram', soap('<d:ProbeMatches><d:ProbeMatch>').slice(0, 90)],
    ['unclosed tag', soap('<a><b></a>')],
    ['two roots', '<a/><b/>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['prototype-polluting element name', '<__proto__><polluted>1</polluted></__proto__>'],
  ];

  it.each(garbage)('%s -> malformed', (_name, input) => {
    expectXmlError(() => parseXml(input), 'malformed');
    expect(errorOf(() => parseProbeMatches(input))).toBeInstanceOf(XmlError);
  });

  it('keeps error messages short and free of the body', () => {
    const longName = 'x'.repeat(5000);
    const err = expectXmlError(() => parseXml(`<${longName}></y>`), 'malformed');
    expect(err.message.length).toBeLessThan(140);
    expect(err.message).not.toContain(longName);
  });

  it('refuses 100k nested elements with a clean XmlError, not a RangeError', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    const err = expectXmlError(() => parseXml(deep), 'malformed');
    expect(err.message).toMatch(/nested/i);
  });

  it('walks a deep but legal Subcode chain without recursion trouble', () => {
    const depth = 40;
    const chain = '<s:Subcode><s:Value>ter:X</s:Value>'.repeat(depth) + '</s:Subcode>'.repeat(depth);
    const xml = soap(`<s:Fault><s:Code><s:Value>s:Sender</s:Value>${chain}</s:Code></s:Fault>`);
    expect(parseFault(xml)?.subcodes).toHaveLength(depth);
  });
});

describe('prototype safety', () => {
  it('refuses names that could pollute prototypes (fast-xml-parser rule) as malformed', () => {
    expectXmlError(() => parseXml('<a constructor="c"/>'), 'malformed');
    expectXmlError(() => parseXml('<prototype/>'), 'malformed');
  });

  it('answers attribute lookups only from the attributes actually sent', () => {
    const node = parseXml('<a token="t"/>');
    expect(attr(node, 'token')).toBe('t');
    expect(attr(node, 'toString')).toBeUndefined();
    expect(node.attrs['toString' as string]).toBeUndefined();
  });
});
