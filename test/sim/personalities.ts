// What distinguishes the four simulated vendors: service paths, profiles, realms, identities, URI shapes.
// Response bodies themselves come from the captured fixtures (see responses.ts).
import type { Personality, SimProfileInfo } from './types.ts';

export interface ProfileDef extends SimProfileInfo {
  encoderToken: string;
  encoderName: string;
  govLength: number;
  h264Profile: 'Main';
  /** Index of the fixture profile block used as the template for Media (ver10). */
  template: number;
}

export interface PersonalityDef {
  name: Personality;
  /** Fixture file prefix in test/fixtures/onvif. */
  fixture: string;
  /** Host written in the fixture URLs, replaced by the camera's. */
  fixtureHost: string;
  devicePath: string;
  mediaPath: string;
  media2Path: string;
  /** Every path the SOAP server answers on (the rest get an HTML 404, like an embedded web server). */
  soapPaths: string[];
  /** gSOAP boards answer SOAP on any path. */
  anyPath: boolean;
  snapshotPath: string;
  snapshotDigest: boolean;
  defaultMedia2: boolean;
  defaultLockout: number | undefined;
  /** ONVIF port used in netns mode (where each camera owns its port space). */
  netnsOnvifPort: number;
  oui: string;
  model: string;
  realm(serial: string, mac: string): string;
  profiles: ProfileDef[];
  /** Vendor-style query string after the /<id>/<mount> RTSP path. */
  streamQuery(p: ProfileDef): string;
  /** Generated serial number from a per-camera random string. */
  serial(rand: string): string;
}

const h264 = (
  token: string,
  name: string,
  encoderToken: string,
  encoderName: string,
  mount: 'main' | 'sub',
  fps: number,
  template: number,
  extra: Partial<ProfileDef> = {},
): ProfileDef => ({
  token,
  name,
  encoderToken,
  encoderName,
  encoding: 'H264',
  width: mount === 'main' ? 1280 : 640,
  height: mount === 'main' ? 720 : 360,
  fps,
  bitrateKbps: mount === 'main' ? 1536 : 512,
  govLength: 2 * fps, // matches key-int-max in rtsp_server.py
  h264Profile: 'Main',
  media1: true,
  media2: true,
  mount,
  template,
  ...extra,
});

const onvif = (names: string, suffix = '') => names.split(' ').map((n) => `/onvif/${n}${suffix}`);

// H.265 sub-stream that only Media2 shows (FIELD-NOTES item 9). Its URI points at the H.264 sub mount.
const h265Only = (p: ProfileDef): ProfileDef => ({ ...p, encoding: 'H265', media1: false, media2: true });

const hikvision: PersonalityDef = {
  name: 'hikvision',
  fixture: 'hikvision_ds-2cd2012-i_',
  fixtureHost: '10.10.1.65',
  devicePath: '/onvif/device_service',
  mediaPath: '/onvif/Media',
  media2Path: '/onvif/Media2',
  soapPaths: onvif('device_service Media Media2 Events Imaging Analytics DeviceIO hik_ext'),
  anyPath: false,
  snapshotPath: '/onvif-http/snapshot',
  snapshotDigest: true,
  defaultMedia2: true,
  defaultLockout: undefined,
  netnsOnvifPort: 80,
  oui: '44:19:b6',
  model: 'DS-2CD2012-I',
  realm: (serial) => `IP Camera(${serial.slice(-5)})`,
  profiles: [
    h264('Profile_1', 'mainStream', 'VideoEncoderToken_1', 'VideoEncoder_1', 'main', 15, 0),
    h264('Profile_2', 'subStream', 'VideoEncoderToken_2', 'VideoEncoder_2', 'sub', 15, 1),
    h265Only(h264('Profile_3', 'thirdStream', 'VideoEncoderToken_3', 'VideoEncoder_3', 'sub', 15, 1)),
  ],
  streamQuery: (p) => `?transportmode=unicast&profile=${p.token}`,
  serial: (rand) => `DS-2CD2012-I20150201CCWR5${rand}`,
};

const dahua: PersonalityDef = {
  name: 'dahua',
  fixture: 'dahua_ipc-unknown_',
  fixtureHost: '192.168.1.123',
  devicePath: '/onvif/device_service',
  mediaPath: '/onvif/media_service',
  media2Path: '/onvif/media2_service',
  soapPaths: onvif('device media media2 event imaging analytics deviceIO', '_service'),
  anyPath: false,
  snapshotPath: '/onvifsnapshot/media_service/snapshot?channel=1&subtype=0',
  snapshotDigest: true,
  defaultMedia2: true,
  defaultLockout: 5,
  netnsOnvifPort: 80,
  oui: '3c:ef:8c',
  model: 'IPC-HFW2431S-S-S2',
  realm: (serial) => `Login to ${serial}`,
  profiles: [
    h264(
      'MediaProfile00000',
      'MediaProfile_Channel1_MainStream',
      '00000',
      'VideoEncoderConfig_Channel1_MainStream',
      'main',
      15,
      0,
    ),
    h264(
      'MediaProfile00001',
      'MediaProfile_Channel1_SubStream1',
      '00001',
      'VideoEncoderConfig_Channel1_SubStream1',
      'sub',
      15,
      0,
    ),
    h265Only(
      h264(
        'MediaProfile00002',
        'MediaProfile_Channel1_SubStream2',
        '00002',
        'VideoEncoderConfig_Channel1_SubStream2',
        'sub',
        15,
        0,
      ),
    ),
  ],
  streamQuery: (p) => `?channel=1&subtype=${Number(p.token.slice(-1))}&unicast=true&proto=Onvif`,
  serial: (rand) => `6J0A${rand}PAZ`,
};

const axis: PersonalityDef = {
  name: 'axis',
  fixture: 'axis_q6045-e_',
  fixtureHost: '192.168.0.19',
  devicePath: '/onvif/device_service',
  mediaPath: '/onvif/services',
  media2Path: '/onvif/services',
  soapPaths: ['/onvif/device_service', '/onvif/services'],
  anyPath: false,
  snapshotPath: '/onvif-cgi/jpg/image.cgi?resolution=1280x720&compression=20',
  snapshotDigest: false,
  defaultMedia2: false,
  defaultLockout: undefined,
  netnsOnvifPort: 80,
  oui: '00:40:8c',
  model: 'AXIS Q6045-E',
  realm: (_serial, mac) => `AXIS_${mac.replace(/:/g, '').toUpperCase()}`,
  profiles: [
    h264('profile_1_h264', 'profile_1 h264', 'default_1_h264', 'default_1 h264', 'main', 15, 0),
    // The MJPEG profile of the capture, kept: clients must not assume every profile is H.264.
    {
      ...h264('profile_1_jpeg', 'profile_1 jpeg', 'default_1_jpeg', 'default_1 jpeg', 'sub', 5, 1),
      encoding: 'JPEG',
      bitrateKbps: 0,
      mount: 'jpeg',
    },
    h264('profile_2_h264', 'profile_2 h264', 'default_2_h264', 'default_2 h264', 'sub', 15, 0),
  ],
  streamQuery: (p) => `?profile=${p.token}&sessiontimeout=60&streamtype=unicast`,
  serial: () => '', // Axis serial = MAC, filled in by identity()
};

const noname: PersonalityDef = {
  name: 'noname',
  fixture: 'agsh-mockup_360vision-predator-derived_',
  fixtureHost: '192.168.68.111',
  devicePath: '/onvif/services',
  mediaPath: '/onvif/services',
  media2Path: '/onvif/services',
  soapPaths: ['/onvif/services'],
  anyPath: true,
  snapshotPath: '/onvif-cgi/jpg/image.cgi?resolution=800x600&compression=20&camera=1',
  snapshotDigest: false,
  defaultMedia2: false,
  defaultLockout: undefined,
  netnsOnvifPort: 8899,
  oui: '00:12:41',
  model: 'Mockup Model',
  realm: () => 'IPCAM',
  profiles: [
    h264('main', 'main', 'main', 'Main stream encoder', 'main', 10, 0),
    h264('sub', 'sub', 'sub', 'Sub stream encoder', 'sub', 10, 0),
  ],
  streamQuery: () => '',
  // Cheap boards ship one serial for a whole batch (FIELD-NOTES item 11), as the capture's 00000000.
  serial: () => '00000000',
};

export const PERSONALITIES: Record<Personality, PersonalityDef> = { hikvision, dahua, axis, noname };
