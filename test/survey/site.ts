// The simulated site the survey tests share: one camera per thing a survey must tell apart.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSite, type SimCamera, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';

export interface SurveySite {
  site: SimSite;
  dir: string;
  config: string;
  cam(id: string): SimCamera;
  /** Where nothing listens: the offline camera's ONVIF address. */
  offline: string;
}

/** A port just closed on the site's own loopback address: connections are refused, never routed. */
function closedPort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, host, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function startSurveySite(): Promise<SurveySite> {
  const site = await startSite({
    cameras: [
      { id: 'hik-ok', personality: 'hikvision', clockSkewSeconds: -3600 },
      // Factory default admin/admin, and no credentials in the configuration for it.
      { id: 'dahua-default', personality: 'dahua', password: 'admin' },
      { id: 'wrongpw', personality: 'hikvision', password: 'Other-Pass-9', rtsp: false },
      { id: 'locked', personality: 'dahua', lockoutAfter: 2, rtsp: false },
      { id: 'norstp', personality: 'axis', rtsp: false },
      { id: 'notcam', personality: 'noname', behaviour: 'not-a-camera' },
    ],
  });
  const cam = (id: string) => site.cameras.find((c) => c.spec.id === id)!;
  const dir = mkdtempSync(join(tmpdir(), 'egw-survey-'));
  const offline = `http://${cam('hik-ok').host}:${await closedPort(cam('hik-ok').host)}/onvif/device_service`;
  const entry = (id: string, password = 'Secret-123') =>
    `  - { id: ${id}, onvif: "${cam(id).onvifUrl}", username: admin, password: "${password}" }`;
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: khu-cach-ly-a, name: "Khu cách ly A" }',
      'discovery:',
      '  interfaces: [lo]',
      '  probeWindowSeconds: 1',
      // Generous: a loaded CI machine answers slowly, and only the offline camera (refused at once) fails.
      '  callTimeoutSeconds: 10',
      `  multicastAddress: ${site.discoveryGroup}`,
      `  multicastPort: ${site.discoveryPort}`,
      'cameras:',
      entry('hik-ok'),
      entry('wrongpw'),
      entry('locked'),
      entry('norstp'),
      `  - { id: offline, onvif: "${offline}" }`,
      'destinations:',
      '  - { id: national, url: "rtmp://ingest.example.vn/live/{siteId}-{cameraId}" }',
      '  - { id: ioc, url: "rtsp://ioc.example.vn/{cameraId}" }',
      'uplink: { kbps: 4000 }',
      `recording: { dir: ${join(dir, 'rec')} }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  // Lock the account beforehand, as a recorder with a stale password would: two rejected logins.
  const lock = await runCli(
    [
      'diagnose',
      `${cam('locked').host}:${cam('locked').onvifPort}`,
      '--username',
      'admin',
      '--password-file',
      '-',
    ],
    { input: 'Stale-Password-1\n' },
  );
  if (!cam('locked').locked()) throw new Error(`could not lock the camera: ${lock.stdout}${lock.stderr}`);
  return { site, dir, config, cam, offline };
}
