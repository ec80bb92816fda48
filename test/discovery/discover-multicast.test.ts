// WS-Discovery by multicast alone (no subnet scan): on loopback with the site's own group, and,
// as root, across a real bridge between network namespaces on 239.255.255.250:3702.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gwInterface, startSite, type SimCameraSpec, type SimSite } from '../sim/site.ts';
import { BIN, runCli } from '../support/cli.ts';

const specs: SimCameraSpec[] = [
  { id: 'hik', personality: 'hikvision', rtsp: false },
  { id: 'dahua-multi', personality: 'dahua', xaddrStyle: 'multi', rtsp: false },
  { id: 'axis-wrong', personality: 'axis', xaddrStyle: 'wrong-host', rtsp: false },
  { id: 'nn', personality: 'noname', rtsp: false },
  { id: 'hidden', personality: 'hikvision', discoverable: false, rtsp: false },
];

interface Found {
  cameras: { address: string; error: unknown; profiles: unknown[] }[];
}

const sites: SimSite[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(sites.map((s) => s.stop()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Every discoverable camera exactly once and usable; the undiscoverable one not at all. */
function expectSite(site: SimSite, out: Found): void {
  for (const cam of site.cameras) {
    const hits = out.cameras.filter((c) => c.address === cam.host);
    if (cam.spec.discoverable === false) {
      expect(hits, cam.spec.id).toHaveLength(0);
      continue;
    }
    expect(hits, cam.spec.id).toHaveLength(1);
    expect(hits[0]!.error, cam.spec.id).toBeNull();
    expect(hits[0]!.profiles.length, cam.spec.id).toBeGreaterThan(0);
  }
}

describe('multicast discovery', () => {
  it('finds every discoverable camera on loopback from multicast probes alone, once each', async () => {
    const site = await startSite({ cameras: specs });
    sites.push(site);
    const dir = mkdtempSync(join(tmpdir(), 'egw-mc-'));
    dirs.push(dir);
    const cfg = join(dir, 'gateway.yaml');
    // The site's own group and port, so parallel test sites never hear each other's probes.
    writeFileSync(
      cfg,
      [
        'site: { id: mc, name: Multicast }',
        'discovery:',
        '  interfaces: [lo]',
        '  probeWindowSeconds: 1.5',
        `  multicastAddress: ${site.discoveryGroup}`,
        `  multicastPort: ${site.discoveryPort}`,
        `recording: { dir: ${join(dir, 'rec')} }`,
        `store: { path: ${join(dir, 'gateway.db')} }`,
        'mqtt: { url: "mqtt://127.0.0.1:1" }',
      ].join('\n'),
    );
    const r = await runCli(
      ['discover', '--json', '--config', cfg, '--username', 'admin', '--password-file', '-'],
      {
        input: 'Secret-123\n',
        timeoutMs: 60_000,
      },
    );
    expect(r.code).toBe(0);
    expectSite(site, JSON.parse(r.stdout) as Found);
  }, 120_000);

  it.skipIf(process.getuid?.() !== 0)(
    'finds every camera across a bridge of network namespaces on 239.255.255.250:3702',
    async () => {
      const site = await startSite({ cameras: specs, mode: 'netns' });
      sites.push(site);
      const ns = site.gwNamespace!;
      const iface = gwInterface(site);
      const out = execFileSync(
        'ip',
        [
          'netns',
          'exec',
          ns,
          process.execPath,
          BIN,
          'discover',
          '--json',
          '--interface',
          iface,
          '--timeout',
          '2',
          '--username',
          'admin',
          '--password-file',
          '-',
        ],
        { input: 'Secret-123\n', timeout: 90_000 },
      ).toString();
      expectSite(site, JSON.parse(out) as Found);
    },
    150_000,
  );
});
