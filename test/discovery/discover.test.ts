// `edge-gateway discover` against the simulated site on loopback: every camera found once, with
// the right profiles and clean URIs, under clock skew, Digest-only auth, odd XAddrs and wrong-host
// URIs; devices that answer but cannot be used are listed with their reason; nothing crashes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { startSite, type SimCamera, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';

const YEARS_3 = 3 * 365 * 24 * 3600;
let site: SimSite;
let dir: string;
let config: string;

interface JsonCamera {
  id: string;
  address: string;
  onvifUrl: string;
  manufacturer: string | null;
  serial: string | null;
  clockSkewSeconds: number | null;
  auth: string | null;
  profiles: {
    token: string;
    encoding: string | null;
    width: number | null;
    height: number | null;
    fps: number | null;
    streamUri: string | null;
  }[];
  snapshotUri: string | null;
  error: { step: string; kind: string; message: string } | null;
}

const cam = (id: string): SimCamera => site.cameras.find((c) => c.spec.id === id)!;

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-skew', personality: 'hikvision', clockSkewSeconds: YEARS_3, rtsp: false },
      { id: 'hik-digest', personality: 'hikvision', auth: 'http-digest', streamUriHost: 'zero', rtsp: false },
      {
        id: 'dahua-multi',
        personality: 'dahua',
        xaddrStyle: 'multi',
        streamUriHost: 'whitespace',
        rtsp: false,
      },
      {
        id: 'axis-wronghost',
        personality: 'axis',
        xaddrStyle: 'wrong-host',
        streamUriHost: 'loopback-wrong',
        rtsp: false,
      },
      {
        id: 'noname-creds',
        personality: 'noname',
        streamUriHost: 'credentials',
        clockSkewSeconds: -400,
        rtsp: false,
      },
      { id: 'dahua-otherpw', personality: 'dahua', password: 'Không-phải-mật-khẩu', rtsp: false },
      { id: 'nas', personality: 'hikvision', behaviour: 'not-a-camera' },
      { id: 'evil', personality: 'hikvision', behaviour: 'entity-xml' },
      { id: 'broken', personality: 'noname', behaviour: 'malformed-xml' },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'egw-discover-'));
  const first = site.cameras[0]!.host.split('.');
  const ports = [...new Set(site.cameras.map((c) => c.onvifPort))];
  config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim-site, name: Simulated site }',
      'discovery:',
      '  interfaces: [lo]',
      `  subnets: [${first.slice(0, 3).join('.')}.0/24]`,
      `  ports: [${ports.join(', ')}]`,
      '  probeWindowSeconds: 1.5',
      '  callTimeoutSeconds: 4',
      `  multicastPort: ${site.discoveryPort}`,
      '  username: admin',
      '  password: ${CAM_PASSWORD}',
      `recording: { dir: ${join(dir, 'rec')} }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function discover(): Promise<{
  cameras: JsonCamera[];
  ignored: { source: string; reason: string }[];
  code: number | null;
  raw: string;
}> {
  // --no-multicast: this test covers the unicast scan and probes; discover-multicast.test.ts covers multicast.
  const r = await runCli(['discover', '--json', '--no-multicast', '--config', config], {
    env: { CAM_PASSWORD: 'Secret-123' },
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  const parsed = JSON.parse(r.stdout) as {
    cameras: JsonCamera[];
    ignored: { source: string; reason: string }[];
  };
  return { ...parsed, code: r.code, raw: r.stdout };
}

let result: Awaited<ReturnType<typeof discover>>;
const found = (id: string) => result.cameras.filter((c) => c.address === cam(id).host);

describe('discover on a simulated site', () => {
  beforeAll(async () => {
    result = await discover();
  }, 120_000);

  it('finds every camera exactly once and exits 0', () => {
    expect(result.code).toBe(0);
    for (const id of [
      'hik-skew',
      'hik-digest',
      'dahua-multi',
      'axis-wronghost',
      'noname-creds',
      'dahua-otherpw',
    ]) {
      expect(found(id), id).toHaveLength(1);
    }
  });

  it("reads each usable camera's profiles as the camera serves them (Media2 where offered)", () => {
    for (const id of ['hik-skew', 'hik-digest', 'dahua-multi', 'axis-wronghost', 'noname-creds']) {
      const c = found(id)[0]!;
      expect(c.error, id).toBeNull();
      const sim = cam(id);
      const offered = sim.profiles.filter((p) =>
        (sim.spec.media2 ?? ['hikvision', 'dahua'].includes(sim.spec.personality)) ? p.media2 : p.media1,
      );
      expect(c.profiles.map((p) => p.token).sort(), id).toEqual(offered.map((p) => p.token).sort());
      for (const p of offered) {
        const got = c.profiles.find((x) => x.token === p.token)!;
        expect([got.encoding, got.width, got.height, got.fps], `${id} ${p.token}`).toEqual([
          p.encoding === 'JPEG' ? 'MJPEG' : p.encoding,
          p.width,
          p.height,
          p.fps,
        ]);
      }
    }
  });

  it("gives stream URIs on the camera's own address, trimmed and without credentials", () => {
    for (const id of ['hik-digest', 'dahua-multi', 'axis-wronghost', 'noname-creds']) {
      const c = found(id)[0]!;
      const uris = c.profiles.flatMap((p) => (p.streamUri ? [p.streamUri] : []));
      expect(uris.length, id).toBeGreaterThan(0);
      for (const uri of uris) {
        const u = new URL(uri);
        expect(u.hostname, `${id} ${uri}`).toBe(cam(id).host);
        expect(u.username + u.password, uri).toBe('');
        expect(uri).toBe(uri.trim());
        expect(uri).not.toMatch(/password|pwd=/i);
      }
    }
    expect(result.raw).not.toContain('Secret-123');
  });

  it("authenticates on the camera's clock, and records the skew", () => {
    expect(found('hik-skew')[0]!.clockSkewSeconds).toBeGreaterThan(YEARS_3 - 5);
    expect(found('hik-skew')[0]!.clockSkewSeconds).toBeLessThan(YEARS_3 + 5);
    expect(Math.abs(found('noname-creds')[0]!.clockSkewSeconds! + 400)).toBeLessThanOrEqual(3);
    expect(found('hik-skew')[0]!.auth).toBe('ws-security');
  });

  it('falls back to HTTP Digest where the camera asks for it', () => {
    expect(found('hik-digest')[0]!.auth).toBe('http-digest');
  });

  it('reports a camera whose password differs, at the auth step, without locking it', () => {
    const c = found('dahua-otherpw')[0]!;
    expect(c.error).toMatchObject({ step: 'auth', kind: 'not-authorized' });
    expect(cam('dahua-otherpw').failedLogins()).toBeLessThanOrEqual(2);
    expect(cam('dahua-otherpw').locked()).toBe(false);
  });

  it('lists devices that answered but are not usable cameras, with a reason, and reads no local file', () => {
    const bad = ['nas', 'evil', 'broken'].map((id) => ({
      id,
      entry: result.cameras.find((c) => c.address === cam(id).host),
      ignored: result.ignored.filter((i) => i.source === cam(id).host),
    }));
    for (const b of bad) {
      const reason = b.entry?.error?.message ?? b.ignored.map((i) => i.reason).join('; ');
      expect(reason, b.id).not.toBe('');
    }
    expect(result.raw).not.toMatch(/root:x:0:0/);
  });

  it('leaves the snapshot URI null, not an error, where reading it would cost a round trip', async () => {
    // hik-skew: three video profiles, found with its UUID: four rounds without the snapshot URI.
    const skew = found('hik-skew')[0]!;
    expect([skew.snapshotUri, skew.error]).toEqual([null, null]);
    // noname-creds: two video profiles, the snapshot URI in the fourth round's free slot.
    expect(found('noname-creds')[0]!.snapshotUri).toMatch(/^http:\/\//);
    const r = await runCli(['inventory', '--json', '--config', config], {
      env: { CAM_PASSWORD: 'Secret-123' },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const rows = (JSON.parse(r.stdout) as { cameras: JsonCamera[] }).cameras;
    expect(rows.find((c) => c.address === cam('hik-skew').host)?.snapshotUri).toBeNull();
  });

  it('keeps a stable inventory: a second discovery updates rows instead of adding', async () => {
    const db = openStore(join(dir, 'gateway.db'));
    const before = new InventoryRepo(db).list();
    db.close();
    const again = await discover();
    const db2 = openStore(join(dir, 'gateway.db'));
    const after = new InventoryRepo(db2).list();
    db2.close();
    expect(after.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
    expect(again.cameras.map((c) => c.id).sort()).toEqual(result.cameras.map((c) => c.id).sort());
    expect(after.find((c) => c.address === cam('hik-skew').host)?.serial).toBe(cam('hik-skew').serial);
  }, 120_000);
});
