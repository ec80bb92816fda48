// Camera accounts are never locked by the gateway (issue 12): the real daemon runs with a wrong
// password against the simulated Dahua (which locks after 5 failed logins) and rediscovers every
// 2 s. The camera must never lock, and its failed logins stay within cameraLogin.attemptsPerHour.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite, type SimSite } from '../sim/site.ts';
import { simDiscovery, startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let dir: string;
let socket: string;
let daemon: Daemon;
const ATTEMPTS = 3;

beforeAll(async () => {
  site = await startSite({ cameras: [{ id: 'dahua-1', personality: 'dahua' }] });
  dir = mkdtempSync(join(tmpdir(), 'egw-accounts-'));
  socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Accounts }',
      ...simDiscovery(site, '${CAM_PASSWORD}'),
      `cameraLogin: { attemptsPerHour: ${ATTEMPTS} }`,
      'schedules: { rediscover: "*/2 * * * * *", retention: "off", availabilityReport: "off" }',
      `relay: { statusSocket: ${socket} }`,
      `recording: { dir: ${join(dir, 'rec')}, enabled: false }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket, { CAM_PASSWORD: 'not-the-password' });
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a wrong camera password for a whole run', () => {
  it('never locks the camera: failed logins stay within the cap however many discoveries run', async () => {
    const runs = () => daemon.log().split('"msg":"discovery done"').length - 1;
    await waitFor(() => runs() >= 8, `eight discoveries\n${daemon.log().slice(-2000)}`, 60_000);
    const cam = site.cameras[0]!;
    expect(cam.locked()).toBe(false);
    expect(cam.failedLogins()).toBeGreaterThan(0);
    expect(cam.failedLogins()).toBeLessThanOrEqual(ATTEMPTS);
    expect(daemon.log()).toMatch(/"authFailed":\["[a-z]+-[0-9a-f]+"\]/);
    expect(daemon.log()).not.toContain('not-the-password');
  }, 90_000);
});
