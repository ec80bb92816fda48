// Replays every captured device response in test/fixtures/onvif (sources in its INDEX.md) through its parser.
// A fixture without an entry in EXPECTED fails the suite, so new captures get assertions.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../src/core/camera.ts';
import { XmlError } from '../../src/onvif/xml.ts';
import { parseFault, SoapFaultError } from '../../src/onvif/parse/envelope.ts';
import { parseCapabilities } from '../../src/onvif/parse/capabilities.ts';
import { parseDeviceInformation } from '../../src/onvif/parse/device-information.ts';
import { parseProbeMatches } from '../../src/onvif/parse/probe-matches.ts';
import { parseProfiles } from '../../src/onvif/parse/profiles.ts';
import { parseServices } from '../../src/onvif/parse/services.ts';
import { parseMediaUri } from '../../src/onvif/parse/stream-uri.ts';
import { parseSystemDateAndTime } from '../../src/onvif/parse/system-date-time.ts';

const DIR = new URL('../fixtures/onvif/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.xml'))
  .sort();

/** Each parser's result reduced to plain comparable data. */
const RUN = {
  GetSystemDateAndTime: (xml: string) => {
    const r = parseSystemDateAndTime(xml);
    return { ...r, utc: r.utc?.toISOString() ?? null };
  },
  GetDeviceInformation: parseDeviceInformation,
  GetCapabilities: parseCapabilities,
  GetServices: (xml: string) => {
    const { all, ...endpoints } = parseServices(xml);
    return { ...endpoints, count: all.length, firstVersion: all[0]?.version };
  },
  GetProfiles: (xml: string) => {
    const profiles = parseProfiles(xml);
    return { count: profiles.length, first: profiles[0], tokens: profiles.map((p: MediaProfile) => p.token) };
  },
  GetStreamUri: parseMediaUri,
  GetSnapshotUri: parseMediaUri,
  ProbeMatches: parseProbeMatches,
  Fault: parseFault,
} as const;

type Operation = keyof typeof RUN;

/** vendor_model_Operation[-variant].xml -> Operation */
function operationOf(file: string): string {
  const part = file.replace(/\.xml$/, '').split('_')[2] ?? '';
  return part.split('-')[0] ?? '';
}

function isOperation(op: string): op is Operation {
  return Object.hasOwn(RUN, op);
}

// Expected values, read off the XML by hand. Helpers keep one fixture to a line or two.
const sdt = (utc: string, dateTimeType: string, tz: string) => ({
  utc: new Date(utc).toISOString(),
  dateTimeType,
  ntp: dateTimeType === 'NTP',
  tz,
});
const info = (manufacturer: string, model: string, firmware: string, serial: string, hardwareId: string) => ({
  manufacturer,
  model,
  firmware,
  serial,
  hardwareId,
});
/** Endpoints as `base` + device path and `base` + media path. */
const caps = (base: string, device: string, media: string) => ({
  device: base + device,
  media: base + media,
  media2: null,
});
const services = (base: string, device: string, media: string, count: number, firstVersion: string) => ({
  ...caps(base, device, media),
  count,
  firstVersion,
});
type N = number | null;
type First = [name: string, encoding: string | null, w: N, h: N, fps: N, kbps: N];
const profiles = (tokens: string[], [name, encoding, width, height, fps, bitrateKbps]: First) => ({
  count: tokens.length,
  tokens,
  first: { token: tokens[0], name, encoding, width, height, fps, bitrateKbps, streamUri: null },
});
const fault = (code: string, subcodes: string[], subcode: string, reason: string) => ({
  code,
  subcode,
  reason,
  subcodes,
});
const probe = (relatesTo: string, endpoint: string, types: string[], scopes: string[], xaddrs: string[]) => ({
  relatesTo,
  matches: [{ endpoint, types, scopes, xaddrs, metadataVersion: 1 }],
});
const S = (path: string) => `onvif://www.onvif.org/${path}`;
const DAHUA_NVR_TOKENS = Array.from({ length: 36 }, (_, i) => {
  return `MediaProfile0${String(Math.floor(i / 3)).padStart(2, '0')}0${i % 3}`;
});

const DAHUA_NVR_FIRST: First = ['MediaProfile_Channel1_MainStream', null, null, null, null, null];

const AGSH = 'agsh-mockup_360vision-predator-derived_';
const AXIS = 'axis_q6045-e_';
const BOSCH = 'bosch_flexidome-indoor-5100i-ir_';
const HIK1 = 'hikvision_ds-2cd2012-i_';
const HIK2 = 'hikvision_ds-2df7276-ael_';
const PELCO = 'pelco_d6230l_';
const TREND = 'trendnet_tv-ip320pi_';
const NOT_AUTHORIZED = 'The action requested requires authorization and the sender is not authorized';
const HIK_TZ = 'CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00';

const EXPECTED: Record<string, unknown> = {
  [`${AGSH}GetCapabilities.xml`]: caps('http://192.168.68.111/onvif/', 'services', 'services'),
  [`${AGSH}GetDeviceInformation.xml`]: info(
    'Mockup Manufacturer',
    'Mockup Model',
    'Mockup_15_14_13',
    '00000000',
    'MOCKUP',
  ),
  [`${AGSH}GetProfiles.xml`]: profiles(['main'], ['main', 'H264', 1920, 1080, 5, 1000]),
  [`${AGSH}GetServices.xml`]: services('http://192.168.68.111/onvif/', 'services', 'services', 6, '2.42'),
  // INDEX: SOAP-ENV prefix never declared. Namespaces are not validated (as in agsh), so it parses.
  [`${AGSH}GetSnapshotUri.xml`]:
    'http://192.168.68.111/onvif-cgi/jpg/image.cgi?resolution=800x600&compression=20&camera=1',
  [`${AGSH}GetStreamUri.xml`]: 'rtsp://192.168.68.111/h264main',
  [`${AGSH}GetSystemDateAndTime.xml`]: sdt('2014-12-24T19:14:37Z', 'Manual', 'MoroccoStandardTime0'),
  // Template placeholders (RELATES_TO, SERVICE_URI) come through verbatim.
  [`${AGSH}ProbeMatches-template.xml`]: probe(
    'RELATES_TO',
    'uuid:c9790c3a-701b-464d-a189-0060351c8ada',
    ['NetworkVideoTransmitter', 'Device'],
    ['Profile/Streaming', 'type/video_encoder', 'type/audio_encoder', 'type/ptz', 'hardware/HD_PREDATOR']
      .concat(['name/PREDATOR', 'location/'])
      .map(S),
    ['SERVICE_URI'],
  ),
  // INDEX: typographic quotes in the XML declaration, undeclared prefix. The validator accepts that
  // declaration and nothing unsafe follows, so it parses; decided: liberal.
  'agsh-mockup_generic_Fault-template.xml': fault(
    'fault code',
    ['fault subcode', 'fault subcode'],
    'fault subcode',
    'fault reason',
  ),
  'amcrest_ip2m-841b_ProbeMatches.xml': probe(
    'uuid:Device',
    'uuid:8eceb0ca-564e-4436-bec5-e63ea243c529',
    ['NetworkVideoTransmitter', 'Device'],
    ['location/country/china', 'name/Amcrest', 'hardware/IP2M-841B', 'Profile/Streaming']
      .concat(['type/Network_Video_Transmitter', 'extension/unique_identifier'])
      .map(S),
    ['http://192.168.1.235/onvif/device_service'],
  ),
  // XAddrs and Scopes separated by newlines and indentation.
  'axis-onvif-apg-example_unknown_ProbeMatches-multi-xaddrs-linklocal.xml': probe(
    'uuid:84ede3de-7dec-11d0-c360-F01234567890',
    'urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2',
    ['NetworkVideoTransmitter'],
    ['type/video_encoder', 'type/audio_encoder', 'hardware/MODEL', 'name/VENDOR%20MODEL', 'location/ANY'].map(
      S,
    ),
    ['http://169.254.76.145/onvif/services', 'http://192.168.1.24/onvif/services'],
  ),
  [`${AXIS}Fault-ActionFailed-GetServices.xml`]: fault('Receiver', ['Action'], 'Action', 'Action failed'),
  [`${AXIS}Fault-NotAuthorized-GetSystemUris.xml`]: fault(
    'Sender',
    ['NotAuthorized'],
    'NotAuthorized',
    'Sender not authorized',
  ),
  [`${AXIS}GetCapabilities.xml`]: caps('http://192.168.0.19/onvif/', 'device_service', 'services'),
  [`${AXIS}GetDeviceInformation.xml`]: info('AXIS', 'AXIS Q6045-E', '5.55.1.2', '00408CFAB754', '1C9.2'),
  // BitrateLimit 0 (unlimited) reads as unknown.
  [`${AXIS}GetProfiles.xml`]: profiles(
    ['profile_1_h264', 'profile_1_jpeg'],
    ['profile_1 h264', 'H264', 1280, 720, 30, null],
  ),
  [`${AXIS}GetSnapshotUri.xml`]:
    'http://192.168.0.19/onvif-cgi/jpg/image.cgi?resolution=1280x720&compression=20',
  [`${AXIS}GetStreamUri.xml`]:
    'rtsp://192.168.0.19/onvif-media/media.amp?profile=profile_1_jpeg&sessiontimeout=60&streamtype=unicast',
  [`${AXIS}GetSystemDateAndTime.xml`]: sdt('2018-02-27T23:09:59Z', 'Manual', 'MST7MDT,M3.2.0,M11.1.0'),
  // Generic ActionNotSupported with the specific AudioNotSupported nested below it.
  'axis_unknown-model_Fault-ActionNotSupported-AudioNotSupported.xml': fault(
    'Receiver',
    ['ActionNotSupported', 'AudioNotSupported'],
    'ActionNotSupported',
    'No audio support',
  ),
  'axis_unknown-model_Fault-WellFormed.xml': fault(
    'Sender',
    ['WellFormed'],
    'WellFormed',
    'Well-formed error',
  ),
  'axis_unknown-model_GetSystemDateAndTime.xml': sdt('2024-07-09T19:49:06Z', 'Manual', 'BRT3'),
  // Bosch captures were re-serialized without prefixes and with bogus "_xmlns:" attributes: parse anyway.
  [`${BOSCH}GetCapabilities.xml`]: caps('http://192.168.1.201/onvif/', 'device_service', 'media_service'),
  [`${BOSCH}GetDeviceInformation.xml`]: info(
    'Bosch',
    'FLEXIDOME indoor 5100i IR',
    '8.71.0066',
    '404754734001050102',
    'F000B543',
  ),
  [`${BOSCH}GetProfiles.xml`]: profiles(['0', '1', '2', '3'], ['Profile_L1S1', 'H264', 1920, 1080, 30, 5200]),
  [`${BOSCH}GetSnapshotUri.xml`]: 'http://192.168.1.201/snap.jpg?JpegCam=1',
  [`${BOSCH}GetStreamUri.xml`]: 'rtsp://192.168.1.201/rtsp_tunnel?p=0&line=1&inst=1&vcd=2',
  // The camera clock is 2.5 years behind the capture date: reported as is, the offset absorbs it.
  [`${BOSCH}GetSystemDateAndTime.xml`]: sdt('2023-05-24T21:25:05Z', 'Manual', 'UTC5:0'),
  'dahua_ipc-unknown_GetCapabilities.xml': caps(
    'http://192.168.1.123/onvif/',
    'device_service',
    'media_service',
  ),
  'dahua_ipc-unknown_GetSnapshotUri.xml':
    'http://192.168.1.123/onvifsnapshot/media_service/snapshot?channel=1&subtype=1',
  // Leading newline and indentation inside <tt:Uri>.
  'dahua_ipc-unknown_GetStreamUri-pretty-whitespace-uri.xml':
    'rtsp://192.168.1.123:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif',
  'dahua_ipc-unknown_GetStreamUri.xml':
    'rtsp://192.168.1.123:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif',
  // All 36 video encoders are empty here (only the audio encoders carry an Encoding): kept, with nulls.
  'dahua_nvr-36-profiles_GetProfiles-empty-video-encoder.xml': profiles(DAHUA_NVR_TOKENS, DAHUA_NVR_FIRST),
  // Envelope attributes elided as "..." by the go2rtc author: not XML.
  'generic_unknown-port8090_GetStreamUri-truncated-envelope.xml': 'malformed',
  [`${HIK1}GetCapabilities.xml`]: caps('http://10.10.1.65/onvif/', 'device_service', 'Media'),
  [`${HIK1}GetDeviceInformation.xml`]: info(
    'HIKVISION',
    'DS-2CD2012-I',
    'V5.2.0 build 140721',
    'DS-2CD2012-I20150201CCWR501088621',
    '88',
  ),
  [`${HIK1}GetProfiles.xml`]: profiles(
    ['Profile_1', 'Profile_2'],
    ['mainStream', 'H264', 1280, 720, 10, 2048],
  ),
  [`${HIK1}GetServices.xml`]: services('http://10.10.1.65/onvif/', 'device_service', 'Media', 6, '2.40'),
  [`${HIK1}GetSnapshotUri.xml`]: 'http://10.10.1.65/onvif-http/snapshot',
  [`${HIK1}GetStreamUri.xml`]:
    'rtsp://10.10.1.65:554/Streaming/Channels/2?transportmode=unicast&profile=Profile_2',
  [`${HIK1}GetSystemDateAndTime.xml`]: sdt('2018-02-27T18:34:41Z', 'Manual', 'CST7:00:00'),
  [`${HIK2}Fault-InvalidArgVal-GetServices.xml`]: fault(
    'Sender',
    ['InvalidArgVal', 'InvalidParameter'],
    'InvalidArgVal',
    'the parameter value is illegal',
  ),
  [`${HIK2}GetCapabilities.xml`]: caps('http://10.10.1.60/onvif/', 'device_service', 'Media'),
  [`${HIK2}GetDeviceInformation.xml`]: info(
    'HIKVISION',
    'DS-2DF7276-AEL',
    'V5.1.6 build 140401',
    'DS-2DF7276-AEL20140613CCWR468714298B',
    '88',
  ),
  [`${HIK2}GetProfiles.xml`]: profiles(
    ['Profile_1', 'Profile_2', 'Profile_3'],
    ['mainStream', 'H264', 1280, 720, 10, 4096],
  ),
  [`${HIK2}GetServices.xml`]: services('http://10.10.1.60/onvif/', 'device_service', 'Media', 7, '2.10'),
  [`${HIK2}GetSnapshotUri.xml`]: 'http://10.10.1.60/onvif/snapshot',
  [`${HIK2}GetStreamUri.xml`]:
    'rtsp://10.10.1.60:554/Streaming/Channels/3?transportmode=unicast&profile=Profile_3',
  [`${HIK2}GetSystemDateAndTime.xml`]: sdt('2018-02-27T18:28:01Z', 'Manual', HIK_TZ),
  // Bogus Types token kept, minus its prefix; capitalised non-standard scopes kept verbatim.
  'noname_ipcam-631ga_ProbeMatches-nonstandard-types.xml': probe(
    'uuid:NetworkVideoTransmitter',
    'urn:uuid:8eceb0ca-564e-4436-bec5-e63ea243c529',
    ['4655721b-4e0e-4296-ba0b-3180423b5b0c'],
    ['Profile/Streaming', 'Model/631GA', 'Name/IPCAM', 'location/country/china'].map(S),
    ['http://192.168.1.1:80/onvif/device_service'],
  ),
  [`${PELCO}Fault-ActionNotSupported-GetAccessPolicy.xml`]: fault(
    'Receiver',
    ['ActionNotSupported'],
    'ActionNotSupported',
    'Optional Action Not Implemented',
  ),
  [`${PELCO}GetCapabilities.xml`]: caps('http://10.10.1.66/onvif/', 'device_service', 'media_service'),
  [`${PELCO}GetDeviceInformation.xml`]: info(
    'Pelco',
    'D6230L',
    '2.9.0.4.9340-A0.0',
    'J250117',
    '00:04:7d:0e:b8:5c',
  ),
  [`${PELCO}GetProfiles.xml`]: profiles(['0', '1'], ['Primary', 'H264', 1920, 1080, 30, 6000]),
  [`${PELCO}GetServices.xml`]: services(
    'http://10.10.1.66/onvif/',
    'device_service',
    'media_service',
    22,
    '2.50',
  ),
  [`${PELCO}GetSnapshotUri.xml`]: 'http://10.10.1.66/jpeg',
  [`${PELCO}GetStreamUri.xml`]: 'rtsp://10.10.1.66/stream2_v',
  [`${PELCO}GetSystemDateAndTime.xml`]: sdt('2018-02-27T18:10:11Z', 'Manual', 'MST7MDT,M3.2.0,M11.1.0'),
  // TZ says UTC+01:00 while local time is UTC+2: only UTCDateTime is used.
  'tp-link_tapo-c500_GetSystemDateAndTime.xml': sdt('2023-08-25T07:44:59Z', 'NTP', 'UTC+01:00'),
  [`${TREND}Fault-NotAuthorized-GetDeviceInformation.xml`]: fault(
    'Sender',
    ['NotAuthorized'],
    'NotAuthorized',
    NOT_AUTHORIZED,
  ),
  [`${TREND}GetCapabilities.xml`]: caps('http://10.10.1.67/onvif/', 'device_service', 'Media'),
  [`${TREND}GetDeviceInformation.xml`]: info(
    'TRENDnet',
    'TV-IP320PI',
    'V5.3.4 build 160830',
    'TV-IP320PI20161206AAWR863642784',
    '88',
  ),
  [`${TREND}GetProfiles.xml`]: profiles(
    ['Profile_1', 'Profile_2'],
    ['mainStream', 'H264', 1280, 720, 30, 2048],
  ),
  [`${TREND}GetServices.xml`]: services('http://10.10.1.67/onvif/', 'device_service', 'Media', 9, '2.40'),
  [`${TREND}GetSnapshotUri.xml`]: 'http://10.10.1.67/onvif-http/snapshot?Profile_2',
  [`${TREND}GetStreamUri.xml`]:
    'rtsp://10.10.1.67:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2',
  [`${TREND}GetSystemDateAndTime.xml`]: sdt(
    '2018-02-27T18:36:51Z',
    'NTP',
    'CST+7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00',
  ),
};

const RESPONSE_PARSERS = [parseSystemDateAndTime, parseDeviceInformation, parseCapabilities, parseServices];

describe('ONVIF fixtures', () => {
  it('finds the fixture directory', () => {
    expect(FILES.length).toBeGreaterThan(50);
  });

  it('has an expectation for every fixture file, and no stale ones', () => {
    expect(FILES.filter((f) => !Object.hasOwn(EXPECTED, f))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((f) => !FILES.includes(f))).toEqual([]);
  });

  it.each(FILES)('%s', (file) => {
    const op = operationOf(file);
    expect(isOperation(op), `unknown operation "${op}" in file name`).toBe(true);
    if (!isOperation(op)) return;
    const xml = readFileSync(new URL(file, DIR), 'utf8');
    const expected = EXPECTED[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    if (expected === 'malformed') {
      expect(() => RUN[op](xml)).toThrow(XmlError);
      expect(() => RUN[op](xml)).toThrow(expect.objectContaining({ kind: 'malformed' }));
      return;
    }
    expect(RUN[op](xml)).toEqual(expected);
    if (op === 'Fault') {
      // Response parsers refuse a fault instead of returning an empty answer.
      for (const parse of RESPONSE_PARSERS) expect(() => parse(xml)).toThrow(SoapFaultError);
    } else if (op !== 'ProbeMatches') {
      expect(parseFault(xml)).toBeNull();
    }
  });
});
