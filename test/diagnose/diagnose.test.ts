// `edge-gateway diagnose` against simulated cameras: it names the step that fails, with a hint,
// and never locks an account or hangs past its timeouts.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite, type SimCamera, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';

interface Diagnosis {
  target: string;
  checks: { id: string; status: 'pass' | 'warn' | 'fail' | 'skip'; summary: string; hint: string | null }[];
  verdict: 'pass' | 'warn' | 'fail';
}

let site: SimSite;
const cam = (id: string): SimCamera => site.cameras.find((c) => c.spec.id === id)!;

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik', personality: 'hikvision' },
      { id: 'digest', personality: 'hikvision', auth: 'http-digest', clockSkewSeconds: -3600 },
      { id: 'viet', personality: 'dahua', password: 'Mật-khẩu-Điện-Biên-1' },
      { id: 'norstp', personality: 'axis' },
      { id: 'hang', personality: 'noname', behaviour: 'hang' },
    ],
  });
}, 120_000);
afterAll(() => site?.stop());

async function diagnose(
  target: string,
  password: string | null,
  extra: string[] = [],
): Promise<{ code: number | null; d: Diagnosis; raw: string }> {
  const auth = password === null ? [] : ['--username', 'admin', '--password-file', '-'];
  const r = await runCli(['diagnose', target, '--json', ...auth, ...extra], {
    input: password ? `${password}\n` : '',
    timeoutMs: 60_000,
  });
  return { code: r.code, d: JSON.parse(r.stdout) as Diagnosis, raw: r.stdout + r.stderr };
}
const target = (c: SimCamera) => `${c.host}:${c.onvifPort}`;
const status = (d: Diagnosis) => Object.fromEntries(d.checks.map((c) => [c.id, c.status]));

describe('diagnose', () => {
  it('passes every step on a working camera, measuring the stream, and exits 0', async () => {
    const { code, d } = await diagnose(target(cam('hik')), 'Secret-123');
    expect(code).toBe(0);
    expect(d.verdict).toBe('pass');
    expect(d.checks.map((c) => c.id)).toEqual([
      'tcp',
      'time',
      'auth',
      'profiles',
      'stream-uri',
      'rtsp',
      'keyframe',
      'snapshot',
    ]);
    const main = cam('hik').profiles.find((p) => p.mount === 'main')!;
    expect(d.checks.find((c) => c.id === 'keyframe')!.summary).toContain(`H264 ${main.width}x${main.height}`);
  });

  it('uses HTTP Digest where the camera wants it, and warns about a clock an hour off', async () => {
    const { code, d } = await diagnose(target(cam('digest')), 'Secret-123');
    expect(code).toBe(0);
    expect(d.verdict).toBe('warn');
    expect(d.checks.find((c) => c.id === 'auth')!.summary).toMatch(/^http-digest accepted/);
    const time = d.checks.find((c) => c.id === 'time')!;
    expect(time).toMatchObject({ status: 'warn' });
    expect(time.summary).toMatch(/60 min behind/);
    expect(time.hint).toMatch(/NTP/);
  });

  it('signs a Vietnamese password as UTF-8', async () => {
    const { d } = await diagnose(target(cam('viet')), 'Mật-khẩu-Điện-Biên-1');
    expect(status(d).auth).toBe('pass');
  });

  it('names auth for a wrong password, with a hint, tries at most twice and never echoes the password', async () => {
    const before = cam('viet').failedLogins();
    const { code, d, raw } = await diagnose(target(cam('viet')), 'Sai-mật-khẩu-42');
    expect(code).toBe(1);
    expect(status(d)).toMatchObject({
      tcp: 'pass',
      time: 'pass',
      auth: 'fail',
      profiles: 'skip',
      rtsp: 'skip',
    });
    expect(d.checks.find((c) => c.id === 'auth')!.hint).toMatch(/rejected the user name or password/);
    expect(cam('viet').failedLogins() - before).toBeLessThanOrEqual(2);
    expect(cam('viet').locked()).toBe(false);
    expect(raw).not.toContain('Sai-mật-khẩu-42');
  });

  it("names rtsp when the camera's RTSP server is stopped", async () => {
    await cam('norstp').stopRtsp();
    const { code, d } = await diagnose(target(cam('norstp')), 'Secret-123');
    expect(code).toBe(1);
    expect(status(d)).toMatchObject({ auth: 'pass', 'stream-uri': 'pass', rtsp: 'fail', keyframe: 'skip' });
    expect(d.checks.find((c) => c.id === 'rtsp')!.hint).toMatch(/refuses connections/);
  });

  it('names tcp for an address where nothing listens', async () => {
    // A port we just closed on the site's own loopback address: refused, never routed anywhere.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, cam('hik').host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const { code, d } = await diagnose(`${cam('hik').host}:${port}`, null);
    expect(code).toBe(1);
    expect(status(d)).toMatchObject({ tcp: 'fail', time: 'skip' });
    expect(d.checks[0]!.hint).toMatch(/Nothing listens/);
  });

  it('fails at time, within its timeout, for a device that accepts and never answers', async () => {
    const { code, d } = await diagnose(target(cam('hang')), null, ['--timeout', '2']);
    expect(code).toBe(1);
    expect(status(d)).toMatchObject({ tcp: 'pass', time: 'fail' });
    expect(d.checks[1]!.summary).toMatch(/no answer within 2 s/);
  });

  it('asks for credentials when none are given to a camera that needs them', async () => {
    const { d } = await diagnose(target(cam('hik')), null);
    expect(status(d).auth).toBe('fail');
    expect(d.checks.find((c) => c.id === 'auth')!.hint).toMatch(/--username/);
  });

  it('refuses a malformed target with a usage error', async () => {
    const r = await runCli(['diagnose', 'not a host!']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/target must be host/);
  });
});
