// The secret scrubber, alone and at the pino sink: nothing a camera or broker password could be
// leaves the process, and ordinary messages come through untouched.
import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { clearSecretsForTest, registerSecret, scrubText, scrubValue } from '../../src/log/secrets.ts';

/** A pino destination that keeps each written line. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const raw = () => chunks.join('');
  const lines = () =>
    raw()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines, raw };
}

beforeEach(() => clearSecretsForTest());

describe('scrubText: URL userinfo', () => {
  it.each([
    [
      'rtsp',
      'connect rtsp://admin:Hik12345@192.168.1.64:554/Streaming/Channels/101 failed',
      'connect rtsp://***@192.168.1.64:554/Streaming/Channels/101 failed',
    ],
    ['rtsps', 'rtsps://viewer:pw@cam.local/stream', 'rtsps://***@cam.local/stream'],
    [
      'rtmp',
      'push to rtmp://gw:Key-99@ingest.example.vn/live/khu-a-gate-1',
      'push to rtmp://***@ingest.example.vn/live/khu-a-gate-1',
    ],
    [
      'http',
      'GET http://admin:12345@192.168.1.20/onvif/device_service -> 401',
      'GET http://***@192.168.1.20/onvif/device_service -> 401',
    ],
    ['user only', 'rtsp://admin@10.0.0.5/h264', 'rtsp://***@10.0.0.5/h264'],
    ['@ inside the password', 'rtsp://admin:p@ss@10.0.0.5/h264', 'rtsp://***@10.0.0.5/h264'],
    [
      'two URLs on one line',
      'a rtsp://u:p1@h1/x and rtmp://u:p2@h2/y',
      'a rtsp://***@h1/x and rtmp://***@h2/y',
    ],
  ])('removes userinfo from %s URLs in free text', (_name, input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('removes userinfo inside JSON strings and leaves the JSON parseable', () => {
    const line = JSON.stringify({
      msg: 'stream up',
      url: 'rtsp://admin:Hik12345@192.168.1.64/1',
      next: 'rtsp://192.168.1.65/1',
    });
    const out = scrubText(line);
    expect(JSON.parse(out)).toEqual({
      msg: 'stream up',
      url: 'rtsp://***@192.168.1.64/1',
      next: 'rtsp://192.168.1.65/1',
    });
  });

  it('keeps a URL without credentials as it was, including an @ in its path', () => {
    const text = 'snapshot http://192.168.1.20/cgi-bin/snap?x=1 and rtsp://10.0.0.5/live/@main';
    expect(scrubText(text)).toBe(text);
  });
});

describe('scrubText: query parameters and key=value', () => {
  it('masks credential query parameters', () => {
    expect(scrubText('http://192.168.1.30/cgi-bin/snapshot.cgi?user=admin&password=abc123&channel=1')).toBe(
      'http://192.168.1.30/cgi-bin/snapshot.cgi?user=***&password=***&channel=1',
    );
    expect(scrubText('wss://broker.example.vn/mqtt?token=eyJhbGci.x.y&auth=Basic&v=5')).toBe(
      'wss://broker.example.vn/mqtt?token=***&auth=***&v=5',
    );
  });

  it('masks the password in a Xiongmai-style RTSP path (user=..._password=...)', () => {
    const url = 'rtsp://192.168.1.10:554/user=admin_password=tlJwpbo6_channel=1_stream=0.sdp?real_stream';
    expect(scrubText(url)).not.toContain('tlJwpbo6');
    expect(scrubText(url)).toMatch(/^rtsp:\/\/192\.168\.1\.10:554\/user=admin_password=\*\*\*/);
    const line = JSON.stringify({ msg: 'ffmpeg exited', input: url });
    expect(JSON.parse(scrubText(line))).toMatchObject({ msg: 'ffmpeg exited' });
  });

  it('masks password=... in a command line', () => {
    expect(scrubText('ffmpeg -i in -f rtsp out password=hunter22 -y')).toBe(
      'ffmpeg -i in -f rtsp out password=*** -y',
    );
  });

  it('leaves ordinary prose alone, including a configuration problem that names a password path', () => {
    const prose = [
      'cameras[0].password: secret ${CAM_GATE1_PASSWORD} is not set (looked in the environment)',
      'discovery.password: Too small: expected string to have >=1 characters (got ***)',
      'camera gate-1 asked for a password; check the user name',
      'the token bucket refilled: 5 tokens',
    ];
    for (const line of prose) expect(scrubText(line)).toBe(line);
  });
});

describe('scrubText: registered secrets', () => {
  it('masks a registered value wherever it appears', () => {
    registerSecret('Kh0ng-Ai-Biet');
    expect(scrubText('auth failed with Kh0ng-Ai-Biet twice: Kh0ng-Ai-Biet')).toBe(
      'auth failed with *** twice: ***',
    );
  });

  it('masks the percent-encoded form of a Vietnamese password inside a URL', () => {
    const pw = 'Mật-khẩu-1';
    registerSecret(pw);
    const encoded = encodeURIComponent(pw);
    expect(encoded).toBe('M%E1%BA%ADt-kh%E1%BA%A9u-1');
    // A vendor query parameter the pattern list does not know: only the registry can catch it.
    const url = `http://192.168.1.40/snapshot.cgi?loginuse=admin&loginpas=${encoded}&res=0`;
    expect(scrubText(url)).toBe('http://192.168.1.40/snapshot.cgi?loginuse=admin&loginpas=***&res=0');
    expect(scrubText(`raw ${pw} end`)).toBe('raw *** end');
    // And as URL userinfo, the way ffmpeg prints its input.
    const withUser = new URL('rtsp://192.168.1.40/live');
    withUser.username = 'admin';
    withUser.password = pw;
    expect(scrubText(`Input #0, rtsp, from '${withUser.href}':`)).toBe(
      `Input #0, rtsp, from 'rtsp://***@192.168.1.40/live':`,
    );
  });

  it('masks a secret that contains a shorter registered secret as a whole', () => {
    registerSecret('abc123');
    registerSecret('abc123-mqtt-xyz');
    expect(scrubText('mqtt abc123-mqtt-xyz cam abc123')).toBe('mqtt *** cam ***');
  });

  it('ignores values too short to mask without mangling ordinary text', () => {
    registerSecret('ab');
    registerSecret('');
    registerSecret(undefined);
    expect(scrubText('about a tab')).toBe('about a tab');
  });
});

describe('scrubValue', () => {
  it('masks secret keys at any depth and scrubs every string', () => {
    const value = {
      camera: {
        id: 'gate-1',
        password: 'p4ss',
        nested: [{ accessToken: 't0k3n', url: 'rtsp://a:b@10.0.0.1/1' }],
      },
      authorization: 'Digest xyz',
      empty: { password: '' },
    };
    expect(scrubValue(value)).toEqual({
      camera: {
        id: 'gate-1',
        password: '***',
        nested: [{ accessToken: '***', url: 'rtsp://***@10.0.0.1/1' }],
      },
      authorization: '***',
      empty: { password: '' },
    });
    // The input is not modified.
    expect(value.camera.password).toBe('p4ss');
  });

  it('keeps ONVIF profile tokens and auth scheme names, which are not secrets', () => {
    const report = { auth: 'http-digest', profiles: [{ token: 'Profile_1', name: 'mainStream' }] };
    expect(scrubValue(report)).toEqual(report);
    expect(scrubText(JSON.stringify(report))).toBe(JSON.stringify(report));
  });

  it('cuts cycles instead of overflowing the stack', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(scrubValue(a)).toEqual({ name: 'a', self: '[circular]' });
  });
});

describe('createLogger: scrubbing at the sink', () => {
  it('masks password, access token and authorization keys at any depth of a log line', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info(
      {
        password: 'top-level-pw',
        camera: { id: 'gate-1', onvif: { password: 'deep-pw', accessToken: 'deep-token' } },
        headers: { authorization: 'Basic YWRtaW46MTIzNDU=', Authorization: 'Digest username="admin"' },
        pin: { password: 123456 },
      },
      'camera probed',
    );
    const raw = out.raw();
    for (const secret of [
      'top-level-pw',
      'deep-pw',
      'deep-token',
      'YWRtaW46MTIzNDU=',
      'Digest username',
      '123456',
    ]) {
      expect(raw).not.toContain(secret);
    }
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      msg: 'camera probed',
      password: '***',
      camera: { id: 'gate-1', onvif: { password: '***', accessToken: '***' } },
      headers: { authorization: '***', Authorization: '***' },
    });
  });

  it('masks a registered secret containing quotes and backslashes in the JSON line', () => {
    const pw = 'pa"ss\\wörd';
    registerSecret(pw);
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).warn(
      { detail: `device said ${pw}` },
      'odd reply',
    );
    expect(out.lines()[0]?.detail).toBe('device said ***');
    expect(out.raw()).not.toContain('ss\\\\w');
  });

  it('logs an Error with a camera URL in its message and stack without the credentials', () => {
    const out = capture();
    const log = createLogger({ level: 'debug', destination: out.stream });
    const err = new Error('connect ETIMEDOUT rtsp://admin:Hik12345@192.168.1.64:554/Streaming/Channels/101');
    log.error({ err }, 'stream failed');
    log.error(err);
    expect(out.raw()).not.toContain('Hik12345');
    const [first, second] = out.lines() as { err: { message: string; stack: string } }[];
    expect(first?.err.message).toBe('connect ETIMEDOUT rtsp://***@192.168.1.64:554/Streaming/Channels/101');
    expect(first?.err.stack).toContain('rtsp://***@192.168.1.64');
    expect(second?.err.message).toBe(first?.err.message);
  });

  it('keeps the stack out of an error line above debug level', () => {
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).error({ err: new Error('boom') }, 'failed');
    const [line] = out.lines() as { err: Record<string, unknown> }[];
    expect(line?.err).toEqual({ type: 'Error', message: 'boom' });
  });

  it('sends child loggers per module and per camera through the same scrubbing sink', () => {
    registerSecret('Cam-Pw-7781');
    const out = capture();
    const root = createLogger({ level: 'info', destination: out.stream });
    const relay = root.child({ module: 'relay' });
    const camera = relay.child({ camera: 'gate-1' });
    camera.info({ input: 'rtsp://admin:Cam-Pw-7781@192.168.1.64/1' }, 'ffmpeg started');
    camera.warn(`ffmpeg said: 401 for password Cam-Pw-7781`);
    const lines = out.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ module: 'relay', camera: 'gate-1', input: 'rtsp://***@192.168.1.64/1' });
    expect(lines[1]).toMatchObject({
      module: 'relay',
      camera: 'gate-1',
      msg: 'ffmpeg said: 401 for password ***',
    });
    expect(out.raw()).not.toContain('Cam-Pw-7781');
  });

  it('writes ordinary messages unchanged', () => {
    const out = capture();
    const msg = 'cameras[0].password: secret ${X} is not set';
    createLogger({ level: 'info', destination: out.stream }).error(
      { file: '/etc/edge-gateway/gateway.yaml' },
      msg,
    );
    expect(out.lines()[0]).toMatchObject({ msg, file: '/etc/edge-gateway/gateway.yaml' });
  });
});
