// Stream/snapshot URI normalisation: wrong hosts, whitespace, and credentials that must never survive.
import { describe, expect, it } from 'vitest';
import {
  checkSnapshotScheme,
  checkStreamScheme,
  isBogusHost,
  isPrivateHost,
  normaliseStreamUri,
  redactUri,
  UriError,
  withCredentials,
} from '../../src/core/stream-uri.ts';
import type { UriContext } from '../../src/core/stream-uri.ts';

const CAM: UriContext = { cameraHost: '10.0.0.5' };
const REACHED: UriContext = { cameraHost: '10.0.0.5', reachedHost: '10.0.0.5' };
const CREDS = 'removed credentials';

describe('normaliseStreamUri', () => {
  it.each<[string, string, UriContext, string, string[]]>([
    [
      'clean URI untouched',
      'rtsp://10.0.0.5:554/Streaming/Channels/101',
      CAM,
      'rtsp://10.0.0.5:554/Streaming/Channels/101',
      [],
    ],
    ['whitespace trimmed', '\n    rtsp://10.0.0.5:554/live \t', CAM, 'rtsp://10.0.0.5:554/live', []],
    [
      '0.0.0.0 replaced, port kept',
      'rtsp://0.0.0.0:8554/ch1',
      CAM,
      'rtsp://10.0.0.5:8554/ch1',
      ['host 0.0.0.0 -> 10.0.0.5'],
    ],
    [
      '127.x replaced',
      'rtsp://127.1.2.3/live?a=1',
      CAM,
      'rtsp://10.0.0.5/live?a=1',
      ['host 127.1.2.3 -> 10.0.0.5'],
    ],
    [
      'localhost replaced',
      'rtsp://LOCALHOST:554/x',
      CAM,
      'rtsp://10.0.0.5:554/x',
      ['host localhost -> 10.0.0.5'],
    ],
    ['::1 replaced', 'rtsp://[::1]:554/x', CAM, 'rtsp://10.0.0.5:554/x', ['host ::1 -> 10.0.0.5']],
    [
      '169.254 replaced',
      'rtsp://169.254.76.145/x',
      CAM,
      'rtsp://10.0.0.5/x',
      ['host 169.254.76.145 -> 10.0.0.5'],
    ],
    [
      'fe80:: replaced',
      'rtsp://[fe80::1:2]:554/x',
      CAM,
      'rtsp://10.0.0.5:554/x',
      ['host fe80::1:2 -> 10.0.0.5'],
    ],
    [
      'IPv6 camera host bracketed',
      'rtsp://0.0.0.0/x',
      { cameraHost: 'fd00::5' },
      'rtsp://[fd00::5]/x',
      ['host 0.0.0.0 -> fd00::5'],
    ],
    [
      'loopback camera (simulator) kept',
      'rtsp://127.0.0.1:8554/x',
      { cameraHost: '127.0.0.1' },
      'rtsp://127.0.0.1:8554/x',
      [],
    ],
    [
      'other private host kept without reachedHost',
      'rtsp://192.168.1.64/x',
      CAM,
      'rtsp://192.168.1.64/x',
      [],
    ],
    [
      'stale private host replaced when reached elsewhere',
      'rtsp://192.168.1.64:554/x',
      REACHED,
      'rtsp://10.0.0.5:554/x',
      ['host 192.168.1.64 -> 10.0.0.5'],
    ],
    [
      '172.16/12 is private',
      'rtsp://172.20.1.1/x',
      REACHED,
      'rtsp://10.0.0.5/x',
      ['host 172.20.1.1 -> 10.0.0.5'],
    ],
    ['public host kept', 'rtsp://203.0.113.7/x', REACHED, 'rtsp://203.0.113.7/x', []],
    [
      'reached (NAT) host kept',
      'rtsp://10.9.9.9/x',
      { cameraHost: '10.0.0.5', reachedHost: '10.9.9.9' },
      'rtsp://10.9.9.9/x',
      [],
    ],
    ['userinfo removed', 'rtsp://admin:12345@10.0.0.5/x', CAM, 'rtsp://10.0.0.5/x', [CREDS]],
    ['user only removed', 'rtsp://admin@10.0.0.5/x', CAM, 'rtsp://10.0.0.5/x', [CREDS]],
    [
      'credential params removed, others kept byte for byte',
      'rtsp://10.0.0.5/cam/realmonitor?channel=1&User=admin&PASSWORD=x%26y&subtype=0&pwd=&proto=Onvif',
      CAM,
      'rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0&proto=Onvif',
      [CREDS],
    ],
    ['all params credentials', 'rtsp://10.0.0.5/live?user=a&pass=b', CAM, 'rtsp://10.0.0.5/live', [CREDS]],
    [
      'token and auth are credentials',
      'rtsp://10.0.0.5/l?auth=x&token=y&passwd=z&username=u&q=1',
      CAM,
      'rtsp://10.0.0.5/l?q=1',
      [CREDS],
    ],
    [
      'lookalike keys kept',
      'rtsp://10.0.0.5/l?usertype=1&passage=2',
      CAM,
      'rtsp://10.0.0.5/l?usertype=1&passage=2',
      [],
    ],
    [
      'everything at once',
      ' rtsp://admin:pw@0.0.0.0:554/h264?password=pw&x=1 ',
      CAM,
      'rtsp://10.0.0.5:554/h264?x=1',
      [CREDS, 'host 0.0.0.0 -> 10.0.0.5'],
    ],
    [
      'snapshot URI normalised too',
      'http://0.0.0.0/onvif-http/snapshot?Profile_1',
      CAM,
      'http://10.0.0.5/onvif-http/snapshot?Profile_1',
      ['host 0.0.0.0 -> 10.0.0.5'],
    ],
  ])('%s', (_name, raw, ctx, uri, changed) => {
    expect(normaliseStreamUri(raw, ctx)).toEqual({ uri, changed });
  });

  it.each([
    ['empty', '   ', /empty/],
    ['no scheme', '10.0.0.5/live', /no scheme/],
    ['no host', 'rtsp:/live', /no host/],
    ['bad port', 'rtsp://admin:secret@10.0.0.5:99999/live', /not a valid/],
    ['broken IPv6', 'rtsp://[fe80::1/live', /not a valid/],
  ])('rejects %s with a UriError that names the problem and not the URI', (_name, raw, message) => {
    expect(() => normaliseStreamUri(raw, CAM)).toThrow(UriError);
    expect(() => normaliseStreamUri(raw, CAM)).toThrow(message);
    expect(() => normaliseStreamUri(raw, CAM)).not.toThrow(/secret/);
  });
});

describe('scheme checks', () => {
  it.each(['rtsp://h/x', 'RTSP://h/x', 'rtsps://h/x'])('stream accepts %s', (uri) => {
    expect(() => checkStreamScheme(uri)).not.toThrow();
  });

  it.each([
    ['file:///etc/passwd', 'unsupported scheme "file"'],
    ['http://h/x', 'unsupported scheme "http"'],
    ['javascript://h/x', 'unsupported scheme "javascript"'],
  ])('stream rejects %s', (uri, message) => {
    expect(() => checkStreamScheme(uri)).toThrow(new UriError(message));
  });

  it.each([
    ['http://h/snap.jpg', true],
    ['https://h/snap.jpg', true],
    ['rtsp://h/x', false],
    ['ftp://h/x', false],
  ])('snapshot %s allowed: %s', (uri, ok) => {
    if (ok) expect(() => checkSnapshotScheme(uri)).not.toThrow();
    else expect(() => checkSnapshotScheme(uri)).toThrow(UriError);
  });
});

describe('withCredentials', () => {
  it.each([
    ['plain', 'rtsp://10.0.0.5:554/x', 'admin', 'pass', 'rtsp://admin:pass@10.0.0.5:554/x'],
    [
      'reserved characters',
      'rtsp://10.0.0.5/x',
      'ad@min',
      'p:a/s?s#w%rd&=',
      'rtsp://ad%40min:p%3Aa%2Fs%3Fs%23w%25rd%26%3D@10.0.0.5/x',
    ],
    [
      'Vietnamese letters',
      'rtsp://10.0.0.5/x',
      'admin',
      'mậtkhẩu',
      'rtsp://admin:m%E1%BA%ADtkh%E1%BA%A9u@10.0.0.5/x',
    ],
    ['replaces existing userinfo', 'rtsp://old:old@10.0.0.5/x', 'new', 'pw', 'rtsp://new:pw@10.0.0.5/x'],
    ['empty user means none', 'rtsp://10.0.0.5/x', '', 'pw', 'rtsp://10.0.0.5/x'],
  ])('%s', (_name, uri, user, pass, expected) => {
    expect(withCredentials(uri, user, pass)).toBe(expected);
  });

  it('round-trips through URL parsing', () => {
    const url = new URL(withCredentials('rtsp://10.0.0.5/x', 'ad@min', 'p:a/s?s#w%rd'));
    expect(decodeURIComponent(url.username)).toBe('ad@min');
    expect(decodeURIComponent(url.password)).toBe('p:a/s?s#w%rd');
  });
});

describe('redactUri', () => {
  it.each([
    ['rtsp://admin:12345@10.0.0.5/x', 'rtsp://***@10.0.0.5/x'],
    ['rtsp://admin:p@ss@10.0.0.5/x', 'rtsp://***@10.0.0.5/x'],
    [
      'rtsp://10.0.0.5/x?channel=1&password=secret&PWD=s2',
      'rtsp://10.0.0.5/x?channel=1&password=***&PWD=***',
    ],
    ['rtsp://u:p@10.0.0.5/x?token=abc#frag', 'rtsp://***@10.0.0.5/x?token=***#frag'],
    [
      'rtsp://10.0.0.5/user=admin&password=tlJwpbo6&channel=1',
      'rtsp://10.0.0.5/user=admin&password=***&channel=1',
    ],
    ['not a url ?pass=x', 'not a url ?pass=***'],
    ['rtsp://10.0.0.5/x?q=a@b', 'rtsp://10.0.0.5/x?q=a@b'],
  ])('%s -> %s', (uri, expected) => {
    expect(redactUri(uri)).toBe(expected);
  });
});

describe('redactUri on hostile input', () => {
  it('handles a huge run of separators (a quadratic scan would hang)', () => {
    expect(redactUri(`rtsp://h/x${'?'.repeat(200_000)}`)).toHaveLength(200_010);
    expect(redactUri(`rtsp://h/x?${'&a'.repeat(100_000)}`)).toHaveLength(200_011);
  });
});

describe('host classification', () => {
  it.each([
    ['0.0.0.0', true, false],
    ['127.0.0.1', true, false],
    ['[::1]', true, false],
    ['::', true, false],
    ['169.254.1.1', true, false],
    ['FE80::1', true, false],
    ['10.1.2.3', false, true],
    ['172.15.0.1', false, false],
    ['172.31.255.1', false, true],
    ['192.168.0.1', false, true],
    ['100.64.0.1', false, true],
    ['fd12::1', false, true],
    ['8.8.8.8', false, false],
    ['camera.local', false, false],
    ['999.1.1.1', false, false],
  ])('%s bogus=%s private=%s', (host, bogus, priv) => {
    expect(isBogusHost(host)).toBe(bogus);
    expect(isPrivateHost(host)).toBe(priv);
  });
});

describe('camera host substitution errors', () => {
  it.each(['', 'bad host/with slash'])('refuses to substitute %j', (cameraHost) => {
    expect(() => normaliseStreamUri('rtsp://0.0.0.0/x', { cameraHost })).toThrow(UriError);
  });
});
