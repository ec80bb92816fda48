// The pure rules of the survey: which logins the password check may try, when it must not try at
// all, what the uplink needs, and what it recommends.
import { describe, expect, it } from 'vitest';
import {
  defaultTries,
  knownIsDefault,
  MAX_DEFAULT_TRIES,
  VENDOR_DEFAULTS,
} from '../../src/core/default-credentials.ts';
import type { DeviceReport } from '../../src/core/device-report.ts';
import { normaliseMac, scopeValue } from '../../src/core/scopes.ts';
import type { Diagnosis } from '../../src/diagnose/ladder.ts';
import { recommend } from '../../src/report/recommend.ts';
import { uplinkNeed } from '../../src/report/uplink.ts';
import { parseArp } from '../../src/onvif/neighbours.ts';
import { mustNotTry } from '../../src/survey/password-check.ts';
import { prettyName } from '../../src/survey/box.ts';

const report = (error: DeviceReport['error'], auth: DeviceReport['auth'] = null): DeviceReport => ({
  address: '192.168.1.64',
  onvifUrl: 'http://192.168.1.64/onvif/device_service',
  endpointRef: null,
  source: 'discovery',
  info: null,
  clockSkewSeconds: 0,
  auth,
  mediaVersion: null,
  profiles: [],
  snapshotUri: null,
  error,
  notes: [],
});

describe('default-password tries', () => {
  it('tries a blank password, then the vendor default, each once and never more than two', () => {
    expect(defaultTries('Dahua', null)).toEqual([
      { kind: 'blank', username: 'admin', password: '' },
      { kind: 'default', username: 'admin', password: 'admin' },
    ]);
    expect(defaultTries('AXIS', null).map((x) => x.username)).toEqual(['root', 'root']);
    for (const v of VENDOR_DEFAULTS)
      expect(defaultTries(v.vendor, null).length).toBeLessThanOrEqual(MAX_DEFAULT_TRIES);
  });

  it('tries only the blank password when the vendor is unknown or its default is blank', () => {
    expect(defaultTries(null, null)).toEqual([{ kind: 'blank', username: 'admin', password: '' }]);
    expect(defaultTries('Xiongmai', null)).toHaveLength(1);
  });

  it('does not try the credentials already known, and judges those without a login', () => {
    expect(defaultTries('HIKVISION', { username: 'admin', password: '12345' })).toEqual([
      { kind: 'blank', username: 'admin', password: '' },
    ]);
    expect(knownIsDefault('HIKVISION', { username: 'admin', password: '12345' })).toBe('default');
    expect(knownIsDefault('HIKVISION', { username: 'admin', password: '' })).toBe('blank');
    expect(knownIsDefault('HIKVISION', { username: 'admin', password: 'Str0ng-unique' })).toBeNull();
  });
});

describe('password check: when not to try', () => {
  const checks = (extra: Diagnosis['checks']): Diagnosis => ({ target: 'x', checks: extra });
  it.each([
    [{ step: 'auth', kind: 'not-authorized', message: 'no' }, 'login-rejected'],
    [{ step: 'auth', kind: 'locked', message: 'locked' }, 'locked'],
    [{ step: 'connect', kind: 'refused', message: 'refused' }, 'unreachable'],
    [{ step: 'time', kind: 'not-onvif', message: 'HTML' }, 'not-onvif'],
  ] as const)('%j -> %s', (error, why) => {
    expect(mustNotTry(report({ ...error }), null)).toBe(why);
  });

  it('counts a login the RTSP server refused as a rejected login', () => {
    const d = checks([
      { id: 'rtsp', status: 'fail', summary: 'DESCRIBE 401', hint: 'x', hintKey: 'hint.rtsp.unauthorized' },
    ]);
    expect(mustNotTry(report(null, 'ws-security'), d)).toBe('login-rejected');
    expect(mustNotTry(report({ step: 'auth', kind: 'no-credentials', message: 'x' }), null)).toBeNull();
  });
});

describe('uplink and recommendations', () => {
  const cam = (id: string, encoding = 'H264') => ({
    id,
    profiles: [
      {
        token: 'm',
        name: 'main',
        encoding,
        width: 1920,
        height: 1080,
        fps: 25,
        bitrateKbps: 4096,
        streamUri: 'rtsp://a/m',
      },
      {
        token: 's',
        name: 'sub',
        encoding: 'H264',
        width: 640,
        height: 360,
        fps: 15,
        bitrateKbps: 512,
        streamUri: 'rtsp://a/s',
      },
    ],
  });
  const dest = (id: string, url: string) => ({ id, url, profile: 'main' as const, audio: false });

  it('sums the chosen profiles per destination beside the budget, with the sub-stream alternative', () => {
    const u = uplinkNeed(
      [cam('a'), cam('b')],
      [dest('national', 'rtmp://n/{cameraId}'), dest('ioc', 'srt://i?streamid={cameraId}')],
      's',
      10000,
    );
    expect(u.destinations).toEqual([
      { id: 'national', protocol: 'rtmp', profile: 'main', cameras: 2, kbps: 8192, subKbps: 1024 },
      { id: 'ioc', protocol: 'srt', profile: 'main', cameras: 2, kbps: 8192, subKbps: 1024 },
    ]);
    expect(u).toMatchObject({ neededKbps: 16384, configuredKbps: 10000, fits: false });
  });

  it('recommends the sub-stream when over budget, and H.264 for an H.265 camera sent to RTMP', () => {
    const destinations = [dest('national', 'rtmp://n/{cameraId}')];
    const u = uplinkNeed([cam('a', 'H265')], destinations, 's', 2000);
    const keys = recommend({
      cameras: [
        {
          id: 'a',
          verdict: 'pass',
          warnings: [],
          password: { status: 'blank', attempts: 1, why: null },
          profiles: [
            {
              token: 'm',
              name: 'main',
              encoding: 'H265',
              width: 1920,
              height: 1080,
              fps: 25,
              bitrateKbps: 4096,
              main: true,
            },
          ],
        } as never,
      ],
      uplink: u,
      perDestination: u.perDestination,
      destinations: [{ id: 'national', protocol: 'rtmp', profile: 'main' }],
    }).map((m) => m.key);
    expect(keys).toEqual(['survey.rec.password.blank', 'survey.rec.useSub', 'survey.rec.h265Rtmp']);
  });
});

describe('what the box and the network say', () => {
  it('reads MACs from the neighbour table and the ONVIF scopes', () => {
    const arp = parseArp(
      'IP address       HW type     Flags       HW address            Mask     Device\n' +
        '192.168.1.64     0x1         0x2         44:19:B6:AA:BB:CC     *        eth0\n' +
        '192.168.1.65     0x1         0x0         00:00:00:00:00:00     *        eth0\n',
    );
    expect([...arp]).toEqual([['192.168.1.64', '44:19:b6:aa:bb:cc']]);
    const scopes = [
      'onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I',
      'onvif://www.onvif.org/MAC/44-19-b6-00-11-22',
    ];
    expect(scopeValue(scopes, 'name')).toBe('HIKVISION DS-2CD2012-I');
    expect(normaliseMac(scopeValue(scopes, 'MAC'))).toBe('44:19:b6:00:11:22');
  });

  it('reads the OS name from os-release', () => {
    expect(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(prettyName(null)).toBeNull();
  });
});
