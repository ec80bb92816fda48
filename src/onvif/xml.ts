// Safe XML parsing for untrusted device responses, and small typed helpers to walk the result.
// Devices answer with arbitrary namespace prefixes, so the tree keeps local names only.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlErrorKind = 'too-large' | 'entity' | 'malformed';

export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly kind: XmlErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** One element. Names are local (prefix removed); text is the element's own text and CDATA, decoded and trimmed. */
export interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XmlNode[];
}

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
/** ONVIF replies nest about 15 deep; the parser refuses anything deeper than this. */
const MAX_DEPTH = 100;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are decoded by decodeEntities below: only the five predefined ones and character references.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

export function parseXml(input: string, opts: { maxBytes?: number } = {}): XmlNode {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // A UTF-16 code unit is at least one UTF-8 byte, so the cheap length test is exact when it fires.
  if (input.length > maxBytes || Buffer.byteLength(input, 'utf8') > maxBytes) {
    throw new XmlError('too-large', `XML document larger than ${maxBytes} bytes`);
  }
  if (/<!(?:DOCTYPE|ENTITY)/i.test(input)) {
    throw new XmlError('entity', 'XML document declares a DOCTYPE or ENTITY; refused');
  }
  // Some devices send a BOM or a newline before the XML declaration; harmless, so accept it.
  const text = input.replace(/^\uFEFF/, '').trimStart();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new XmlError('malformed', `malformed XML at ${line}:${col ?? 0}: ${clip(msg)}`);
  }
  let items: unknown;
  try {
    items = parser.parse(text);
  } catch (err) {
    throw new XmlError(
      'malformed',
      `malformed XML: ${clip(err instanceof Error ? err.message : String(err))}`,
    );
  }
  const roots = Array.isArray(items) ? items.flatMap((item: unknown) => toNode(item) ?? []) : [];
  if (roots.length !== 1 || roots[0] === undefined) {
    throw new XmlError('malformed', `malformed XML: expected one root element, found ${roots.length}`);
  }
  return roots[0];
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Converts one item of fast-xml-parser's preserveOrder output; undefined for text, comments and the like. */
function toNode(item: unknown): XmlNode | undefined {
  if (!isRecord(item)) return undefined;
  const qname = Object.keys(item).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
  if (qname === undefined) return undefined;
  const content = item[qname];
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawAttrs = item[':@'];
  if (isRecord(rawAttrs)) {
    for (const [k, v] of Object.entries(rawAttrs)) {
      const prefix = k.includes(':') ? k.slice(0, k.indexOf(':')) : '';
      // Namespace declarations are not data; "_xmlns:" is a re-serializer's mangled form of them (Bosch captures).
      if (k === 'xmlns' || prefix === 'xmlns' || prefix === '_xmlns') continue;
      const name = localName(k);
      if (!(name in attrs)) attrs[name] = decodeEntities(String(v));
    }
  }
  let text = '';
  const children: XmlNode[] = [];
  for (const c of Array.isArray(content) ? (content as unknown[]) : []) {
    if (!isRecord(c)) continue;
    if (typeof c['#text'] === 'string') text += decodeEntities(c['#text']);
    else if (Array.isArray(c['#cdata'])) text += cdataText(c['#cdata']);
    else {
      const node = toNode(c);
      if (node) children.push(node);
    }
  }
  return { name: localName(qname), attrs, text: text.trim(), children };
}

function cdataText(parts: unknown[]): string {
  // CDATA is literal: no entity decoding.
  return parts.map((p) => (isRecord(p) && typeof p['#text'] === 'string' ? p['#text'] : '')).join('');
}

const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Decodes the five predefined entities and character references; anything else is left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{2,4});/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return PREDEFINED.get(ref) ?? whole;
    const hex = ref[1] === 'x' || ref[1] === 'X';
    const cp = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : '\uFFFD';
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Escapes a value for use in XML text or a double-quoted attribute; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isXmlChar(cp)) continue;
    out += ESCAPES.get(ch) ?? ch;
  }
  return out;
}

const ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&apos;'],
]);

/** 'tt:Uri' -> 'Uri'. */
export function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

// Tree helpers. They accept undefined so that lookups chain without checks: text(find(body, ['A', 'B'])).

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XmlNode | undefined, name?: string): XmlNode[] {
  if (!node) return [];
  return name === undefined ? [...node.children] : node.children.filter((c) => c.name === name);
}

export function text(node: XmlNode | undefined): string {
  return node?.text ?? '';
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  return node && Object.hasOwn(node.attrs, name) ? node.attrs[name] : undefined;
}

/** Follows the first matching child at each step. */
export function find(node: XmlNode | undefined, path: readonly string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) cur = child(cur, name);
  return cur;
}

/** First descendant (not the node itself) with this name, in document order. */
export function findDeep(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const stack = node ? [...node.children].reverse() : [];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.name === name) return n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as XmlNode);
  }
  return undefined;
}

/** A finite number from text, or null when missing, empty or not a number. */
export function num(value: XmlNode | string | undefined): number | null {
  const s = typeof value === 'string' ? value.trim() : text(value);
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
