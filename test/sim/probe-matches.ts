// WS-Discovery: reading a Probe and building each vendor's ProbeMatches from its capture.
import { randomUUID } from 'node:crypto';
import { fixture, template } from './fixtures.ts';
import { billionLaughsDoctype } from './hostile.ts';
import type { CameraModel } from './model.ts';
import { elementText, escapeXml, mapBlocks, setAttr, setElementText } from './xml.ts';

export interface Probe {
  messageId: string;
  types: string[];
}

/** A Probe (any prefixes), or undefined for anything else (Hello, Bye, other ProbeMatches, junk). */
export function parseProbe(text: string): Probe | undefined {
  const body = /<(?:[\w.-]+:)?Body\b[^>]*>([\s\S]*)<\/(?:[\w.-]+:)?Body\s*>/.exec(text)?.[1];
  if (!body || !/^\s*<(?:[\w.-]+:)?Probe[\s/>]/.test(body)) return undefined;
  const types = (elementText(body, 'Types') ?? '').split(/\s+/).filter(Boolean);
  return { messageId: elementText(text, 'MessageID') ?? '', types };
}

/** Cameras answer probes for no type, NetworkVideoTransmitter or Device (local names; prefixes vary). */
function typesMatch(types: string[]): boolean {
  if (types.length === 0) return true;
  return types.some((t) => ['NetworkVideoTransmitter', 'Device'].includes(t.split(':').pop() ?? ''));
}

export class ProbeReplier {
  private messageNumber = 0;
  private readonly instanceId = Math.floor(Date.now() / 1000) % 2_000_000_000;
  // No-name boards reuse one message id for every reply (FIELD-NOTES item 11).
  private readonly fixedMessageId = `uuid:${randomUUID()}`;

  constructor(private readonly m: CameraModel) {}

  /** Replies to send for this probe (empty: stay silent). Hikvision answers twice, as on two interfaces. */
  replies(probe: Probe): string[] {
    const m = this.m;
    this.messageNumber++;
    if (m.spec.behaviour === 'not-a-camera') return [this.notACamera(probe)];
    if (!typesMatch(probe.types)) return [];
    if (m.spec.behaviour === 'entity-xml') return [this.entityReply(probe)];
    switch (m.p.name) {
      case 'hikvision': {
        const xml = template('hikvision_ProbeMatches.xml', {
          MESSAGE_ID: randomUUID(),
          RELATES_TO: escapeXml(probe.messageId),
          INSTANCE_ID: this.instanceId,
          MESSAGE_NUMBER: this.messageNumber,
          ENDPOINT: m.id.endpointRef,
          SCOPES: escapeXml(m.scopes().join(' ')),
          XADDRS: escapeXml(this.xaddrs(' ')),
        });
        return [xml, xml];
      }
      case 'dahua':
        return [this.fromFixture('amcrest_ip2m-841b_ProbeMatches.xml', probe, `uuid:${randomUUID()}`, ' ')];
      case 'axis':
        return [
          this.fromFixture(
            'axis-onvif-apg-example_unknown_ProbeMatches-multi-xaddrs-linklocal.xml',
            probe,
            `uuid:${randomUUID()}`,
            '\n                            ',
          ),
        ];
      case 'noname':
        return [
          this.fromFixture(
            'noname_ipcam-631ga_ProbeMatches-nonstandard-types.xml',
            probe,
            this.fixedMessageId,
            ' ',
          ),
        ];
    }
  }

  /** XAddrs per spec.xaddrStyle; `sep` is the vendor's separator (Axis: newline + indentation). */
  private xaddrs(sep: string): string {
    const m = this.m;
    const path = m.p.devicePath;
    const port = m.onvifPort === 80 ? '' : `:${m.onvifPort}`;
    const own = `${m.advertisedBase}${path}`;
    if (m.spec.xaddrStyle !== 'multi') return own;
    const [, , , , b5 = '0', b6 = '0'] = m.id.mac.split(':');
    const linkLocal4 = `http://169.254.${parseInt(b5, 16)}.${parseInt(b6, 16) || 1}${port}${path}`;
    const eui = m.id.mac.split(':');
    const first = (parseInt(eui[0] ?? '0', 16) ^ 2).toString(16);
    const linkLocal6 = `http://[fe80::${first}${eui[1]}:${eui[2]}ff:fe${eui[3]}:${eui[4]}${eui[5]}]${port}${path}`;
    // Newlines and indentation between entries whatever the vendor (FIELD-NOTES item 2).
    const nl = sep.includes('\n') ? sep : '\n        ';
    return [linkLocal4, linkLocal6, own].join(nl);
  }

  private fromFixture(name: string, probe: Probe, messageId: string, sep: string): string {
    const m = this.m;
    let xml = fixture(name);
    xml = setElementText(xml, 'MessageID', escapeXml(messageId));
    xml = setElementText(xml, 'RelatesTo', escapeXml(probe.messageId));
    xml = mapBlocks(xml, 'EndpointReference', (b) =>
      setElementText(b, 'Address', escapeXml(m.id.endpointRef)),
    );
    xml = setAttr(xml, 'AppSequence', 'MessageNumber', String(this.messageNumber));
    xml = setAttr(xml, 'AppSequence', 'InstanceId', String(this.instanceId));
    const multiline = sep.includes('\n');
    const wrapList = (s: string) => (multiline ? `${sep}${s}${sep.slice(0, -4)}` : s);
    if (m.p.name !== 'noname') xml = setElementText(xml, 'Scopes', wrapList(escapeXml(m.scopes().join(sep))));
    return setElementText(xml, 'XAddrs', wrapList(escapeXml(this.xaddrs(sep))));
  }

  private notACamera(probe: Probe): string {
    return template('notacamera_ProbeMatches.xml', {
      MESSAGE_ID: randomUUID(),
      RELATES_TO: escapeXml(probe.messageId),
      INSTANCE_ID: this.instanceId,
      SEQUENCE_ID: randomUUID(),
      MESSAGE_NUMBER: this.messageNumber,
    });
  }

  private entityReply(probe: Probe): string {
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n${billionLaughsDoctype()}` +
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" ' +
      'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
      'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
      `<env:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
      `<wsa:RelatesTo>${escapeXml(probe.messageId)}</wsa:RelatesTo>` +
      '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></env:Header>' +
      `<env:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${this.m.id.endpointRef}` +
      '</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>' +
      `<d:Scopes>&lol9;</d:Scopes><d:XAddrs>${escapeXml(this.xaddrs(' '))}</d:XAddrs>` +
      '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>\n'
    );
  }
}
