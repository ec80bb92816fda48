// Response shapes the captured fixtures do not cover: SOAP 1.1 faults, odd clocks, empty replies.
import { describe, expect, it } from 'vitest';
import { parseFault, SoapFaultError } from '../../src/onvif/parse/envelope.ts';
import { parseDeviceInformation } from '../../src/onvif/parse/device-information.ts';
import { parseProbeMatches } from '../../src/onvif/parse/probe-matches.ts';
import { parseServices } from '../../src/onvif/parse/services.ts';
import { parseMediaUri } from '../../src/onvif/parse/stream-uri.ts';
import { clockOffsetMs, parseSystemDateAndTime } from '../../src/onvif/parse/system-date-time.ts';

const soap = (body: string, header = '') =>
  `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema"` +
  ` xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
  `<env:Header>${header}</env:Header><env:Body>${body}</env:Body></env:Envelope>`;

describe('faults', () => {
  it('understands SOAP 1.1 faultcode/faultstring', () => {
    const xml = soap(
      '<env:Fault><faultcode>env:Client</faultcode><faultstring> Unauthorized </faultstring></env:Fault>',
    );
    expect(parseFault(xml)).toEqual({ code: 'Client', subcode: null, reason: 'Unauthorized', subcodes: [] });
    const onvif = soap(
      '<env:Fault><faultcode>ter:NotAuthorized</faultcode><faultstring>no</faultstring></env:Fault>',
    );
    expect(parseFault(onvif)?.subcode).toBe('NotAuthorized');
  });

  it('picks NotAuthorized when nested under another generic subcode, and prefers the English reason', () => {
    const xml = soap(
      '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:OperationProhibited</env:Value>' +
        '<env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Subcode></env:Code>' +
        '<env:Reason><env:Text xml:lang="vi">Không được phép</env:Text><env:Text xml:lang="en">Not\n  allowed</env:Text>' +
        '</env:Reason></env:Fault>',
    );
    expect(parseFault(xml)).toEqual({
      code: 'Sender',
      subcode: 'NotAuthorized',
      reason: 'Not allowed',
      subcodes: ['OperationProhibited', 'NotAuthorized'],
    });
  });

  it('makes response parsers throw SoapFaultError rather than return empty data', () => {
    const xml = soap('<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code></env:Fault>');
    expect(() => parseDeviceInformation(xml)).toThrow(SoapFaultError);
    expect(() => parseMediaUri(xml)).toThrow(SoapFaultError);
    expect(parseFault(soap('<tds:GetDeviceInformationResponse/>'))).toBeNull();
  });
});

describe('system date and time', () => {
  const sdt = (date: string, time: string) =>
    soap(
      `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>` +
        `<tt:UTCDateTime><tt:Time>${time}</tt:Time><tt:Date>${date}</tt:Date></tt:UTCDateTime>` +
        `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
    );
  const date = (y: string, m: string, d: string) =>
    `<tt:Year>${y}</tt:Year><tt:Month>${m}</tt:Month><tt:Day>${d}</tt:Day>`;
  const time = (h: string, m: string, s: string) =>
    `<tt:Hour>${h}</tt:Hour><tt:Minute>${m}</tt:Minute><tt:Second>${s}</tt:Second>`;

  it.each([
    ['a real date', date('2026', '1', '31'), time('23', '59', '59'), '2026-01-31T23:59:59.000Z'],
    ['a clock reset to 1970', date('1970', '1', '1'), time('0', '0', '5'), '1970-01-01T00:00:05.000Z'],
    ['31 February', date('2024', '2', '31'), time('0', '0', '0'), null],
    ['hour 24', date('2024', '2', '1'), time('24', '0', '0'), null],
    ['month 13', date('2024', '13', '1'), time('0', '0', '0'), null],
    ['fractional second', date('2024', '1', '1'), time('0', '0', '1.5'), null],
    ['missing day', '<tt:Year>2024</tt:Year><tt:Month>1</tt:Month>', time('0', '0', '0'), null],
  ])('%s', (_name, d, t, expected) => {
    expect(parseSystemDateAndTime(sdt(d, t)).utc?.toISOString() ?? null).toBe(expected);
  });

  it('returns nulls for an empty response instead of throwing', () => {
    expect(parseSystemDateAndTime(soap('<tds:GetSystemDateAndTimeResponse/>'))).toEqual({
      utc: null,
      dateTimeType: null,
      ntp: null,
      tz: null,
    });
  });

  it.each([
    // device 10 s ahead; request took 2 s, so the reply was made at the 1 s midpoint
    ['camera ahead', 1_000_011_000, 1_000_000_000, 1_000_002_000, 10_000],
    ['camera behind', 999_995_000, 1_000_000_000, 1_000_000_000, -5_000],
    ['years behind', 0, 1_000_000_000, 1_000_000_000, -1_000_000_000],
  ])('clockOffsetMs: %s', (_name, device, sentAt, receivedAt, expected) => {
    expect(clockOffsetMs(new Date(device), sentAt, receivedAt)).toBe(expected);
  });
});

describe('services and discovery edge cases', () => {
  it('finds Media2 by namespace and tolerates missing versions', () => {
    const xml = soap(
      '<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver20/media/wsdl</tds:Namespace>' +
        '<tds:XAddr>\n http://10.0.0.5/onvif/media2 \n</tds:XAddr></tds:Service></tds:GetServicesResponse>',
    );
    expect(parseServices(xml)).toEqual({
      device: null,
      media: null,
      media2: 'http://10.0.0.5/onvif/media2',
      all: [
        {
          namespace: 'http://www.onvif.org/ver20/media/wsdl',
          xaddr: 'http://10.0.0.5/onvif/media2',
          version: null,
        },
      ],
    });
  });

  it('reads an empty ProbeMatches (a NAS) as no matches', () => {
    const header = '<wsa:RelatesTo xmlns:wsa="urn:a">uuid:1</wsa:RelatesTo>';
    const xml = soap('<d:ProbeMatches xmlns:d="urn:d"/>', header);
    expect(parseProbeMatches(xml)).toEqual({ relatesTo: 'uuid:1', matches: [] });
  });

  it('splits XAddrs on tabs and newlines and survives missing optional fields', () => {
    const xml = soap(
      '<d:ProbeMatches xmlns:d="urn:d"><d:ProbeMatch><d:XAddrs>\thttp://[fe80::1]/onvif\t\thttps://10.0.0.5/onvif\r\n' +
        '</d:XAddrs><d:MetadataVersion>x</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>',
    );
    expect(parseProbeMatches(xml).matches).toEqual([
      {
        endpoint: '',
        types: [],
        scopes: [],
        xaddrs: ['http://[fe80::1]/onvif', 'https://10.0.0.5/onvif'],
        metadataVersion: null,
      },
    ]);
  });
});
