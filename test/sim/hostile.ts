// Replies of devices that misbehave on purpose: the cases a client must survive (FIELD-NOTES items 5, 12).
import type { ServerResponse } from 'node:http';
import { fixture } from './fixtures.ts';
import type { CameraModel } from './model.ts';

export const HTML_404 =
  '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>' +
  '<p>The requested URL was not found on this server.</p></body></html>\n';

export const HTML_401 =
  '<!DOCTYPE html>\n<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1>' +
  '<p>Authorization required.</p></body></html>\n';

/** The go2rtc "unknown camera" reply: attributes elided as "...", so not well-formed. */
export function malformedXml(m: CameraModel): string {
  return fixture('generic_unknown-port8090_GetStreamUri-truncated-envelope.xml').replace(
    'rtsp://192.168.5.53:8090/profile1=r',
    `rtsp://${m.host}:8090/profile1=r`,
  );
}

const ENV_OPEN =
  '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl">';

/** Ten levels of ten: a parser that expands it builds 10^9 "lol"s. */
export function billionLaughsDoctype(): string {
  let decl = '  <!ENTITY lol0 "lol">\n';
  for (let i = 1; i <= 9; i++) decl += `  <!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">\n`;
  return `<!DOCTYPE Envelope [\n${decl}]>\n`;
}

export function billionLaughsReply(): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n${billionLaughsDoctype()}${ENV_OPEN}<env:Body>` +
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>' +
    '<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>&lol9;</tt:TZ></tt:TimeZone>' +
    '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></env:Body></env:Envelope>\n'
  );
}

/** External entity: a parser that resolves it puts /etc/passwd into the Manufacturer. */
export function externalEntityReply(): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Envelope [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n' +
    `${ENV_OPEN}<env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>&xxe;</tds:Manufacturer>` +
    '<tds:Model>XXE</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>&xxe;</tds:SerialNumber>' +
    '<tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>\n'
  );
}

export const OVERSIZED_BYTES = 9 * 1024 * 1024;
const CHUNK = 64 * 1024;
const CHUNK_INTERVAL_MS = 25; // ~2.5 MB/s: the whole body takes ~3.6 s, a 1 MB cap trips in ~0.4 s

/** Streams a > 8 MB, chunked, well-formed-so-far SOAP reply slowly; stops when the client goes. */
export function streamOversized(res: ServerResponse, timers: Set<NodeJS.Timeout>): void {
  res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
  res.write(
    `<?xml version="1.0" encoding="UTF-8"?>\n${ENV_OPEN}<env:Body><tds:GetDeviceInformationResponse>`,
  );
  const filler = `<tds:Padding>${'A'.repeat(CHUNK - 32)}</tds:Padding>\n`;
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= OVERSIZED_BYTES) {
      clearInterval(timer);
      timers.delete(timer);
      if (!res.destroyed) res.end('</tds:GetDeviceInformationResponse></env:Body></env:Envelope>\n');
      return;
    }
    res.write(filler);
    sent += filler.length;
  }, CHUNK_INTERVAL_MS);
  timers.add(timer);
  res.on('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}
