// Device service replies, edited from each vendor's captured reply (hand-made Dahua-style ones where no
// capture exists, see templates/README.md).
import { fault, NS, wrap } from './envelopes.ts';
import { fixture, template } from './fixtures.ts';
import type { CameraModel } from './model.ts';
import {
  addNamespace,
  elementText,
  escapeXml,
  findBlocks,
  mapBlocks,
  setElementText,
  splitEnvelope,
} from './xml.ts';

/** A device reply: the capture for this vendor, or the hand-made template for Dahua/Axis. */
export function vendorReply(m: CameraModel, op: string): string {
  const p = m.p.name;
  if (p === 'dahua' && ['GetSystemDateAndTime', 'GetDeviceInformation', 'GetServices'].includes(op)) {
    return template(`dahua_${op}.xml`);
  }
  if (p === 'axis' && op === 'GetServices') return template('axis_GetServices.xml');
  const xml = fixture(`${m.p.fixture}${op}.xml`);
  // The gSOAP mock's snapshot reply never declares SOAP-ENV; declare it so the reply is well-formed.
  return p === 'noname' ? addNamespace(xml, 'SOAP-ENV', 'http://www.w3.org/2003/05/soap-envelope') : xml;
}

/** Point every URL of the capture at the camera (as it believes it is addressed). */
export function rehost(m: CameraModel, xml: string): string {
  return xml.split(`http://${m.p.fixtureHost}`).join(m.advertisedBase);
}

function readDateTime(block: string): number {
  const n = (name: string) => Number(elementText(block, name) ?? 0);
  return Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second'));
}

function writeDateTime(block: string, d: Date): string {
  const fields: [string, number][] = [
    ['Hour', d.getUTCHours()],
    ['Minute', d.getUTCMinutes()],
    ['Second', d.getUTCSeconds()],
    ['Year', d.getUTCFullYear()],
    ['Month', d.getUTCMonth() + 1],
    ['Day', d.getUTCDate()],
  ];
  return fields.reduce((b, [name, v]) => setElementText(b, name, String(v)), block);
}

export function getSystemDateAndTime(m: CameraModel): string {
  const xml = vendorReply(m, 'GetSystemDateAndTime');
  const utcBlock = findBlocks(xml, 'UTCDateTime')[0];
  const localBlock = findBlocks(xml, 'LocalDateTime')[0];
  // Keep the capture's local-minus-UTC offset (its time zone quirk included).
  const offset = utcBlock && localBlock ? readDateTime(localBlock.text) - readDateTime(utcBlock.text) : 0;
  const now = m.now();
  let out = mapBlocks(xml, 'UTCDateTime', (b) => writeDateTime(b, now));
  out = mapBlocks(out, 'LocalDateTime', (b) => writeDateTime(b, new Date(now.getTime() + offset)));
  return out;
}

export function getDeviceInformation(m: CameraModel): string {
  return setElementText(vendorReply(m, 'GetDeviceInformation'), 'SerialNumber', escapeXml(m.id.serial));
}

const CATEGORY_BLOCK: Record<string, string> = {
  Analytics: 'Analytics',
  Device: 'Device',
  Events: 'Events',
  Imaging: 'Imaging',
  Media: 'Media',
  PTZ: 'PTZ',
};

export function getCapabilities(m: CameraModel, body: string): string {
  const xml = rehost(m, vendorReply(m, 'GetCapabilities'));
  const category = elementText(body, 'Category') ?? 'All';
  if (category === 'All') return xml;
  const wanted = CATEGORY_BLOCK[category];
  const caps = findBlocks(xml, 'Capabilities')[0];
  const block = wanted && caps ? findBlocks(caps.text, wanted)[0] : undefined;
  if (!caps || !block) {
    return fault(m.p.name, {
      code: 'Receiver',
      subcodes: ['ter:ActionNotSupported', 'ter:NoSuchService'],
      reason: `No ${category} capabilities`,
    });
  }
  const open = /^<[^>]*>/.exec(caps.text)?.[0] ?? '';
  const close = /<\/[^>]*>$/.exec(caps.text)?.[0] ?? '';
  return xml.slice(0, caps.start) + open + block.text + close + xml.slice(caps.end);
}

function media2Service(m: CameraModel): string {
  const base = m.advertisedBase;
  return (
    `<tds:Service><tds:Namespace>${NS.tr2}</tds:Namespace><tds:XAddr>${base}${m.p.media2Path}</tds:XAddr>` +
    '<tds:Capabilities><tr2:Capabilities SnapshotUri="true" Rotation="false" VideoSourceMode="false" OSD="true">' +
    '<tr2:ProfileCapabilities MaximumNumberOfProfiles="10" ConfigurationsSupported="VideoSource VideoEncoder"/>' +
    '<tr2:StreamingCapabilities RTSPStreaming="true" RTPMulticast="false" RTP_RTSP_TCP="true" ' +
    'NonAggregateControl="false" AutoStartMulticast="false"/></tr2:Capabilities></tds:Capabilities>' +
    '<tds:Version><tt:Major>16</tt:Major><tt:Minor>12</tt:Minor></tds:Version></tds:Service>'
  );
}

/** Drop the capabilities of one Service block (device service nests tds:Capabilities twice). */
function stripCapabilities(service: string): string {
  const open = /<([\w.-]+:)?Capabilities\b[^>]*>/.exec(service);
  if (!open) return service;
  const closeTag = `</${open[1] ?? ''}Capabilities>`;
  const end = service.lastIndexOf(closeTag);
  if (end < open.index) return service;
  return service.slice(0, open.index).replace(/\n[ \t]*$/, '') + service.slice(end + closeTag.length);
}

export function getServices(m: CameraModel, body: string): string {
  const include = elementText(body, 'IncludeCapability');
  if (m.p.name === 'axis' && include === undefined) {
    // IncludeCapability is mandatory; the captured Axis stack fails the call without it.
    return fixture('axis_q6045-e_Fault-ActionFailed-GetServices.xml');
  }
  let xml = rehost(m, vendorReply(m, 'GetServices'));
  const isMedia2 = (b: string) => b.includes(NS.tr2);
  if (!m.spec.media2) xml = mapBlocks(xml, 'Service', (b) => (isMedia2(b) ? '' : b));
  if (m.spec.media2 && !findBlocks(xml, 'Service').some((b) => isMedia2(b.text))) {
    const media = findBlocks(xml, 'Service').find((b) => b.text.includes(`>${NS.trt}<`));
    const at = media?.end ?? findBlocks(xml, 'Service')[0]?.end ?? 0;
    xml = addNamespace(xml.slice(0, at) + media2Service(m) + xml.slice(at), 'tr2', NS.tr2);
  }
  if (include !== 'true') xml = mapBlocks(xml, 'Service', stripCapabilities);
  return xml;
}

export function getScopes(m: CameraModel): string {
  const items = m
    .scopes()
    .map(
      (s) =>
        `<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>${escapeXml(s)}</tt:ScopeItem></tds:Scopes>`,
    )
    .join('');
  return wrap(m.p.name, `<tds:GetScopesResponse>${items}</tds:GetScopesResponse>`);
}

/**
 * GetNetworkInterfaces (hand-made: no capture exists in test/fixtures/onvif; shape per the ONVIF
 * device WSDL, NetworkInterface with Info/HwAddress and a DHCP-assigned IPv4 address).
 */
export function getNetworkInterfaces(m: CameraModel): string {
  return wrap(
    m.p.name,
    '<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>' +
      `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${escapeXml(m.id.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
      '<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>' +
      `<tt:FromDHCP><tt:Address>${escapeXml(m.host)}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:FromDHCP>` +
      '<tt:DHCP>true</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>',
  );
}

/** True when the reply is well-formed enough to hand to an HTTP response as SOAP. */
export function isEnvelope(xml: string): boolean {
  try {
    splitEnvelope(xml);
    return true;
  } catch {
    return false;
  }
}
