// The XML tree and its helpers: local names, decoded and trimmed text, document order.
import { describe, expect, it } from 'vitest';
import {
  attr,
  child,
  children,
  decodeEntities,
  escapeXml,
  find,
  findDeep,
  localName,
  num,
  parseXml,
  text,
} from '../../src/onvif/xml.ts';

const DOC = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema">
  <SOAP-ENV:Body>
    <trt:List xmlns:trt="urn:x" trt:kind="a&amp;b" plain="1">
      <tt:Item token="1">  first &amp; &lt;best&gt; &#65;&#x42; </tt:Item>
      <tt:Other/>
      <tt:Item token="2"><![CDATA[<raw & kept>]]></tt:Item>
      <d:Deep xmlns:d="urn:d"><d:Deeper><tt:Target>found</tt:Target></d:Deeper></d:Deep>
    </trt:List>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>`;

describe('parseXml', () => {
  const root = parseXml(DOC);
  const list = find(root, ['Body', 'List']);

  it('strips prefixes from elements and attributes and drops namespace declarations', () => {
    expect(root.name).toBe('Envelope');
    expect(root.attrs).toEqual({});
    expect(list?.attrs).toEqual({ kind: 'a&b', plain: '1' });
  });

  it('decodes predefined entities and character references, trims text, keeps CDATA literal', () => {
    const items = children(list, 'Item');
    expect(items.map((i) => text(i))).toEqual(['first & <best> AB', '<raw & kept>']);
    expect(items.map((i) => attr(i, 'token'))).toEqual(['1', '2']);
  });

  it('keeps document order and gives arrays for repeated or absent children', () => {
    expect(children(list).map((c) => c.name)).toEqual(['Item', 'Other', 'Item', 'Deep']);
    expect(children(list, 'Missing')).toEqual([]);
    expect(children(undefined, 'Item')).toEqual([]);
  });

  it('finds by path and in depth, and chains through undefined', () => {
    expect(text(findDeep(root, 'Target'))).toBe('found');
    expect(find(root, ['Body', 'List', 'Deep', 'Deeper', 'Target'])?.text).toBe('found');
    expect(find(root, ['Body', 'Nope', 'Target'])).toBeUndefined();
    expect(text(child(undefined, 'x'))).toBe('');
    expect(attr(undefined, 'x')).toBeUndefined();
    expect(findDeep(root, 'Envelope')).toBeUndefined(); // the node itself is not a descendant
  });

  it('accepts a BOM or whitespace before the declaration', () => {
    expect(parseXml('\uFEFF\n  <?xml version="1.0"?><a>x</a>').text).toBe('x');
  });

  it('parses the Bosch re-serialized form, ignoring mangled "_xmlns:" attributes', () => {
    const node = parseXml(
      '<Envelope xmlns="s" xmlns:_xmlns="xmlns" _xmlns:tt="t"><Body xmlns="s"/></Envelope>',
    );
    expect(node.attrs).toEqual({});
    expect(child(node, 'Body')).toBeDefined();
  });
});

describe('helpers', () => {
  it.each([
    ['<a>42</a>', 42],
    ['<a> 7.5 </a>', 7.5],
    ['<a></a>', null],
    ['<a>abc</a>', null],
    ['<a>Infinity</a>', null],
  ])('num(%s) = %s', (xml, expected) => {
    expect(num(parseXml(xml))).toBe(expected);
  });

  it.each([
    ['tt:Uri', 'Uri'],
    ['Uri', 'Uri'],
    ['SOAP-ENV:Body', 'Body'],
  ])('localName(%s) = %s', (qname, expected) => {
    expect(localName(qname)).toBe(expected);
  });

  it.each([
    ['&amp;lt;', '&lt;'], // decoded once, not twice
    ['&#0;', '\uFFFD'],
    ['&#x110000;', '\uFFFD'],
    ['&#128512;', '😀'],
    ['&nbsp;', '&nbsp;'],
    ['a & b', 'a & b'],
  ])('decodeEntities(%s) = %s', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });

  it('escapes the five special characters and drops characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('tok\u0000en\u0008')).toBe('token');
    expect(escapeXml('Camera ngõ 1')).toBe('Camera ngõ 1');
  });
});
