// Text-level XML helpers. The simulator edits captured vendor replies in place (so prefixes, namespaces,
// whitespace and quirks survive) and reads requests leniently, like the embedded SOAP stacks it imitates.

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

const P = '(?:[\\w.-]+:)?'; // optional namespace prefix

/** Text of the first element with this local name (any prefix), trimmed and unescaped. */
export function elementText(xml: string, localName: string): string | undefined {
  const m = new RegExp(`<${P}${localName}(?:\\s[^>]*)?>([^<]*)</${P}${localName}\\s*>`).exec(xml);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1].trim());
}

/** Texts of every element with this local name. */
export function elementTexts(xml: string, localName: string): string[] {
  const re = new RegExp(`<${P}${localName}(?:\\s[^>]*)?>([^<]*)</${P}${localName}\\s*>`, 'g');
  return [...xml.matchAll(re)].map((m) => unescapeXml((m[1] ?? '').trim()));
}

/** Replace the text content of every (or the first `limit`) element with this local name. */
export function setElementText(xml: string, localName: string, value: string, limit = Infinity): string {
  let n = 0;
  const re = new RegExp(`(<(${P})${localName}(?:\\s[^>]*)?>)[^<]*(</\\2${localName}\\s*>)`, 'g');
  return xml.replace(re, (all, open: string, _p: string, close: string) =>
    n++ < limit ? `${open}${value}${close}` : all,
  );
}

/** Start/end offsets of each element with this local name (outermost match; no same-name nesting). */
export function findBlocks(xml: string, localName: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  const re = new RegExp(`<(${P})${localName}(?:\\s[^>]*?)?(?:/>|>[\\s\\S]*?</\\1${localName}\\s*>)`, 'g');
  for (const m of xml.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return out;
}

/** Apply `fn` to each element block with this local name. */
export function mapBlocks(xml: string, localName: string, fn: (block: string) => string): string {
  const blocks = findBlocks(xml, localName);
  let out = '';
  let at = 0;
  for (const b of blocks) {
    out += xml.slice(at, b.start) + fn(b.text);
    at = b.end;
  }
  return out + xml.slice(at);
}

/** Set an attribute on the first start tag of an element with this local name. */
export function setAttr(xml: string, localName: string, attr: string, value: string): string {
  const re = new RegExp(`(<${P}${localName}\\b[^>]*?\\s${attr}=")[^"]*(")`);
  return xml.replace(re, `$1${value}$2`);
}

/** Split a SOAP document into the text up to and including <Body>, the body content, and the rest. */
export function splitEnvelope(xml: string): { head: string; body: string; tail: string } {
  const open = new RegExp(`<${P}Body\\b[^>]*>`).exec(xml);
  const close = new RegExp(`</${P}Body\\s*>`).exec(xml);
  if (!open || !close) throw new Error('not a SOAP envelope');
  const bodyStart = open.index + open[0].length;
  return {
    head: xml.slice(0, bodyStart),
    body: xml.slice(bodyStart, close.index),
    tail: xml.slice(close.index),
  };
}

/** Add xmlns:prefix="uri" to the Envelope start tag unless that prefix is already declared there. */
export function addNamespace(xml: string, prefix: string, uri: string): string {
  if (new RegExp(`xmlns:${prefix}=`).test(xml.slice(0, xml.search(/>\s*<[\w.-]*:?(Header|Body)\b/)))) {
    return xml;
  }
  return xml.replace(/(<[\w.-]*:?Envelope\b)/, `$1 xmlns:${prefix}="${uri}"`);
}

export interface SoapRequest {
  /** Local name of the first element in the Body, e.g. "GetProfiles". */
  action: string;
  /** Namespace URI of that element when it can be resolved. */
  namespace: string | undefined;
  /** The Body content. */
  body: string;
  xml: string;
}

/** Lenient SOAP request reader: undefined when there is no Body with an element in it. */
export function parseSoapRequest(xml: string): SoapRequest | undefined {
  let parts;
  try {
    parts = splitEnvelope(xml);
  } catch {
    return undefined;
  }
  const m = /<([\w.-]+:)?([\w.-]+)([^>]*?)\/?>/.exec(parts.body);
  if (!m?.[2]) return undefined;
  const prefix = m[1]?.slice(0, -1);
  const attrs = m[3] ?? '';
  const decl = prefix ? `xmlns:${prefix}` : 'xmlns';
  const nsRe = new RegExp(`\\s${decl}\\s*=\\s*["']([^"']*)["']`);
  const namespace = nsRe.exec(attrs)?.[1] ?? nsRe.exec(xml)?.[1];
  return { action: m[2], namespace, body: parts.body, xml };
}
