// Camera identity: the key that decides whether two sightings are one camera or two.
import { describe, expect, it } from 'vitest';
import {
  deviceMac,
  reportIdentity,
  toInventoryUpdate,
  type DeviceReport,
} from '../../src/core/device-report.ts';
import { cameraIdentity, macOf, suggestCameraId, uuidOf } from '../../src/core/inventory.ts';

describe('uuidOf', () => {
  it.each([
    ['urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2', 'a1f48ac2-dc8b-11df-b255-00408c1836b2'],
    ['uuid:8eceb0ca-564e-4436-bec5-e63ea243c529', '8eceb0ca-564e-4436-bec5-e63ea243c529'],
    ['C9790C3A-701B-464D-A189-0060351C8ADA', 'c9790c3a-701b-464d-a189-0060351c8ada'],
    ['  urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2\n', 'a1f48ac2-dc8b-11df-b255-00408c1836b2'],
    ['urn:uuid:a1f48ac2-dc8b-11df-b255', null],
    ['urn:uuid:not-a-uuid-at-all', null],
    ['00408c1836b2', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('uuidOf(%j) = %j', (input, expected) => {
    expect(uuidOf(input)).toBe(expected);
  });
});

describe('macOf', () => {
  it.each([
    ['00408c1836b2', '00:40:8c:18:36:b2'],
    ['00:40:8C:18:36:B2', '00:40:8c:18:36:b2'],
    ['00-40-8c-18-36-b2', '00:40:8c:18:36:b2'],
    ['urn:00408C1836B2', '00:40:8c:18:36:b2'],
    // The tail of a UUID looks like a MAC but is not a reliable one.
    ['urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2', null],
    ['gate-1', null],
    ['', null],
    [null, null],
  ])('macOf(%j) = %j', (input, expected) => {
    expect(macOf(input)).toBe(expected);
  });
});

describe('cameraIdentity', () => {
  it.each([
    [
      'a UUID endpoint wins over everything else',
      {
        endpointRef: 'urn:uuid:A1F48AC2-DC8B-11DF-B255-00408C1836B2',
        mac: '00:11:22:33:44:55',
        serial: 'X1',
        address: '10.0.0.1',
      },
      'uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2',
    ],
    [
      'a MAC endpoint with serial and vendor',
      { endpointRef: '00408C1836B2', serial: 'ACCC8E123456', manufacturer: ' AXIS ', address: '10.0.0.1' },
      'hw:00:40:8c:18:36:b2/axis/ACCC8E123456',
    ],
    [
      'a MAC written with dashes and capitals',
      { mac: '00-40-8C-18-36-B2', serial: 'ACCC8E123456', manufacturer: 'AXIS' },
      'hw:00:40:8c:18:36:b2/axis/ACCC8E123456',
    ],
    [
      'a serial without MAC does not identify: the address does',
      { serial: '00000000', manufacturer: 'tp-link', address: '192.168.1.20:2020' },
      'addr:192.168.1.20:2020',
    ],
    ['an address only', { address: '192.168.1.64:80' }, 'addr:192.168.1.64:80'],
    ['nothing at all', {}, 'addr:unknown'],
  ])('%s', (_name, input, expected) => {
    expect(cameraIdentity(input)).toBe(expected);
  });

  it('tells apart two Tapo units that share one serial, with or without endpoints', () => {
    const tapo = { serial: '00000000', manufacturer: 'tp-link' };
    expect(cameraIdentity({ ...tapo, endpointRef: 'uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b201' })).not.toBe(
      cameraIdentity({ ...tapo, endpointRef: 'uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b202' }),
    );
    expect(cameraIdentity({ ...tapo, address: '192.168.1.20:2020' })).not.toBe(
      cameraIdentity({ ...tapo, address: '192.168.1.21:2020' }),
    );
    expect(cameraIdentity({ ...tapo, mac: '5c:62:8b:00:00:01' })).not.toBe(
      cameraIdentity({ ...tapo, mac: '5c:62:8b:00:00:02' }),
    );
  });

  it('is the same for one camera seen with and without the urn: prefix or in other case', () => {
    expect(cameraIdentity({ endpointRef: 'urn:uuid:8eceb0ca-564e-4436-bec5-e63ea243c529' })).toBe(
      cameraIdentity({ endpointRef: 'uuid:8ECEB0CA-564E-4436-BEC5-E63EA243C529' }),
    );
  });
});

describe('suggestCameraId', () => {
  const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

  it.each([
    ['uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2', 'HIKVISION', 'hikvision-1836b2'],
    ['uuid:8eceb0ca-564e-4436-bec5-e63ea243c529', 'Amcrest', 'amcrest-43c529'],
    ['hw:00:40:8c:18:36:b2/axis/ACCC8E123456', 'AXIS', 'axis-123456'],
    ['addr:192.168.1.64:80', 'TP-Link Systems Inc.', 'tp-link-systems-inc-816480'],
    ['addr:192.168.1.64:80', null, 'camera-816480'],
    ['addr:192.168.1.64:80', '', 'camera-816480'],
    ['addr:192.168.1.64:80', '海康威视', 'camera-816480'],
    // Cut at 20 characters; the cut must not leave a dangling "-".
    [
      'uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2',
      'Hangzhou Hikvision Digital Technology Co., Ltd',
      'hangzhou-hikvision-d-1836b2',
    ],
    ['uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2', 'Zhejiang Dahua Tech. Co', 'zhejiang-dahua-tech-1836b2'],
  ])('suggestCameraId(%j, %j) = %j', (identity, manufacturer, expected) => {
    const id = suggestCameraId(identity, manufacturer);
    expect(id).toBe(expected);
    // Usable as a camera id in the configuration, a topic and a file name.
    expect(id).toMatch(SLUG);
    expect(id).not.toContain('--');
  });

  it('is the same every time for the same camera', () => {
    const identity = cameraIdentity({ endpointRef: 'urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2' });
    expect(suggestCameraId(identity, 'HIKVISION')).toBe(suggestCameraId(identity, 'HIKVISION'));
  });
});

describe('deviceMac and the identity of a reported device', () => {
  const report = (over: Partial<DeviceReport> = {}): DeviceReport => ({
    address: '192.168.1.64',
    onvifUrl: 'http://192.168.1.64/onvif/device_service',
    endpointRef: null,
    source: 'scan',
    info: { manufacturer: 'HIKVISION', model: 'DS-2CD2012-I', firmware: 'V5', serial: 'SN1', hardwareId: '' },
    clockSkewSeconds: 0,
    auth: 'ws-security',
    mediaVersion: 1,
    profiles: [],
    snapshotUri: null,
    error: null,
    notes: [],
    ...over,
  });
  const arp = new Map([['192.168.1.64', '44:19:b6:00:00:0a']]);
  const scope = ['onvif://www.onvif.org/MAC/44-19-B6-00-00-0B'];

  it('prefers what the device said over ONVIF, then the neighbour table, then its announcement', () => {
    expect(deviceMac(report({ mac: '44:19:b6:00:00:0c', scopes: scope }), arp)).toBe('44:19:b6:00:00:0c');
    expect(deviceMac(report({ scopes: scope }), arp)).toBe('44:19:b6:00:00:0a');
    expect(deviceMac(report({ scopes: scope }))).toBe('44:19:b6:00:00:0b');
    expect(deviceMac(report({ endpointRef: '00:12:34:56:78:9a' }))).toBe('00:12:34:56:78:9a');
    expect(
      deviceMac(
        report({
          info: {
            manufacturer: 'AXIS',
            model: 'Q6045-E',
            firmware: '',
            serial: 'ACCC8E000001',
            hardwareId: '',
          },
        }),
      ),
    ).toBe('ac:cc:8e:00:00:01');
    expect(deviceMac(report())).toBeNull();
  });

  it('identifies a scanned device by its MAC, so the address can change; by its address only without one', () => {
    const at = (ip: string, mac: string | null) =>
      reportIdentity(report({ address: ip, onvifUrl: `http://${ip}/onvif/device_service`, mac }));
    expect(at('192.168.1.64', '44:19:b6:00:00:0c')).toBe(at('192.168.1.77', '44:19:b6:00:00:0c'));
    expect(at('192.168.1.64', '44:19:b6:00:00:0c')).toBe('hw:44:19:b6:00:00:0c/hikvision/SN1');
    expect(at('192.168.1.64', null)).not.toBe(at('192.168.1.77', null));
    expect(toInventoryUpdate(report({ mac: '44:19:b6:00:00:0c' })).mac).toBe('44:19:b6:00:00:0c');
  });
});
