// scripts/install.sh on a box it cannot harm: a mount namespace whose /etc, /opt and /var are
// overlays kept in a temporary directory (throwaway-root.sh), from an archive built once by
// `npm run package`. No systemd runs here: the installer installs and does not start; the unit
// is judged by systemd-analyze verify where the installer put it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOX = join(ROOT, 'test/deploy/throwaway-root.sh');
const INSTALL = join(ROOT, 'scripts/install.sh');

let dir: string;
let box: string;
let archive: string;
let pwFile: string;

/** Runs a command inside the throwaway root. */
function inBox(cmd: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync(BOX, [box, ...cmd], { encoding: 'utf8', input, timeout: 240_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}
const sh = (script: string) => inBox(['bash', '-c', script]);

function install(...args: string[]) {
  return inBox(['bash', INSTALL, '--yes', '--no-diagnose', '--offline', ...args]);
}
const FLAGS = () => [
  '--from',
  archive,
  '--site-id',
  'khu-a',
  '--site-name',
  "Khu A's gate",
  '--destination',
  'rtmp://ingest.example.vn/live/{siteId}-{cameraId}',
  '--mqtt-url',
  'mqtts://mqtt.example.vn:8883',
  '--mqtt-username',
  'gw-khu-a',
  '--camera-username',
  'admin',
  '--secret',
  `MQTT_PASSWORD=${pwFile}`,
];

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Paths, modes, owners and content hashes of everything the installer owns. */
const tree = () =>
  sh(
    'find /opt/edge-gateway /etc/edge-gateway /etc/systemd/system/edge-gateway.service /etc/systemd/system/edge-gateway.service.d -printf "%p %m %u:%g\\n" | sort; ' +
      'sha256sum /etc/edge-gateway/gateway.yaml /etc/edge-gateway/credentials/* /etc/systemd/system/edge-gateway.service.d/*; grep edge-gateway /etc/passwd',
  ).out;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-install-'));
  box = join(dir, 'box');
  pwFile = join(dir, 'mqtt.pw');
  writeFileSync(pwFile, 'mqtt-Pw-51c0ffee\n');
  execFileSync('bash', [join(ROOT, 'scripts/package.sh'), '--out', join(dir, 'release')], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  archive = join(dir, 'release', readdirSync(join(dir, 'release'))[0]!);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('install.sh in a throwaway root', () => {
  it('installs the app, user, configuration, credentials and unit', () => {
    const r = install(...FLAGS());
    expect(r.out).toContain('systemd is not running here: installed, not started.');
    expect(r.code, r.out).toBe(0);
    const facts = sh(`
      stat -c '%n %a %U:%G' /opt/edge-gateway /etc/edge-gateway /etc/edge-gateway/gateway.yaml \\
        /etc/edge-gateway/credentials /etc/edge-gateway/credentials/* /etc/systemd/system/edge-gateway.service
      getent passwd edge-gateway | cut -d: -f6,7
      test -e /opt/edge-gateway/node_modules/vitest && echo DEV-DEPENDENCY-PRESENT
      cat /etc/systemd/system/edge-gateway.service.d/credentials.conf
      cd /opt/edge-gateway && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); console.log('sqlite ok')"
      node -e "require('fluent-ffmpeg'); console.log('fluent-ffmpeg ok')"
      stat -c '%n %a' dist/ffmpeg-launcher.sh
      runuser -u edge-gateway -- dist/ffmpeg-launcher.sh -hide_banner -version | head -1
    `).out;
    expect(facts).toContain('/opt/edge-gateway 755 root:root');
    expect(facts).toContain('/etc/edge-gateway 750 root:edge-gateway');
    expect(facts).toContain('/etc/edge-gateway/gateway.yaml 640 root:edge-gateway');
    expect(facts).toContain('/etc/edge-gateway/credentials 700 root:root');
    expect(facts).toContain('/etc/edge-gateway/credentials/MQTT_PASSWORD 600 root:root');
    // Not given: an empty credential, so systemd still starts the unit and the check names it.
    expect(facts).toContain('/etc/edge-gateway/credentials/CAM_DEFAULT_PASSWORD 600 root:root');
    expect(facts).toContain('/etc/systemd/system/edge-gateway.service 644 root:root');
    expect(facts).toContain('/var/lib/edge-gateway:/usr/sbin/nologin');
    expect(facts).not.toContain('DEV-DEPENDENCY-PRESENT');
    expect(facts).toContain(
      'LoadCredential=CAM_DEFAULT_PASSWORD:/etc/edge-gateway/credentials/CAM_DEFAULT_PASSWORD',
    );
    expect(facts).toContain('LoadCredential=MQTT_PASSWORD:/etc/edge-gateway/credentials/MQTT_PASSWORD');
    expect(facts).toContain('sqlite ok');
    // The relay's ffmpeg: its wrapper library, and the launcher that ties each ffmpeg to the daemon.
    expect(facts).toContain('fluent-ffmpeg ok');
    expect(facts).toContain('dist/ffmpeg-launcher.sh 755');
    expect(facts).toMatch(/^ffmpeg version /m);
    expect(r.out).toContain('install -m 600 /dev/stdin /etc/edge-gateway/credentials/CAM_DEFAULT_PASSWORD');
  });

  it('leaves a unit that systemd-analyze verifies, and a configuration the service user can check', () => {
    const v = sh('systemd-analyze verify --man=no /etc/systemd/system/edge-gateway.service');
    expect(v.out).toBe('');
    expect(v.code).toBe(0);
    const check = sh(
      'runuser -u edge-gateway -- node /opt/edge-gateway/dist/edge-gateway.mjs config check --strict --credentials /etc/edge-gateway/credentials /etc/edge-gateway/gateway.yaml',
    );
    // As the service user the credentials (root's, 0600) are out of reach: systemd hands them over.
    expect(check.out).toContain('is valid: site khu-a');
    const asRoot = sh(
      'node /opt/edge-gateway/dist/edge-gateway.mjs config check --strict --credentials /etc/edge-gateway/credentials /etc/edge-gateway/gateway.yaml',
    );
    expect(asRoot.code).toBe(78);
    expect(asRoot.out).toContain('edge-gateway: secret(s) not set: CAM_DEFAULT_PASSWORD');
    expect(asRoot.out).not.toContain('mqtt-Pw-51c0ffee');
  });

  it('changes nothing when run again', () => {
    const before = tree();
    const r = install(...FLAGS());
    expect(r.code, r.out).toBe(0);
    expect(tree()).toBe(before);
  });

  it('--upgrade replaces the app and keeps configuration, secrets, store and spool', () => {
    sh(`
      echo '# edited on site' >> /etc/edge-gateway/gateway.yaml
      printf 'cam-Pw-2e7d' > /etc/edge-gateway/credentials/CAM_DEFAULT_PASSWORD
      mkdir -p /var/lib/edge-gateway/recordings/gate-1 && echo segment > /var/lib/edge-gateway/recordings/gate-1/0001.ts
      echo store > /var/lib/edge-gateway/gateway.db
      touch /opt/edge-gateway/left-by-old-version`);
    const r = install('--upgrade', '--from', archive);
    expect(r.code, r.out).toBe(0);
    const after = sh(`
      tail -1 /etc/edge-gateway/gateway.yaml; cat /etc/edge-gateway/credentials/CAM_DEFAULT_PASSWORD; echo
      cat /var/lib/edge-gateway/recordings/gate-1/0001.ts /var/lib/edge-gateway/gateway.db
      test -e /opt/edge-gateway/left-by-old-version && echo OLD-APP-KEPT; echo end`).out;
    expect(after.split('\n')).toEqual(['# edited on site', 'cam-Pw-2e7d', 'segment', 'store', 'end', '']);
  });

  it('diagnoses every camera at the end, a verdict a line', async () => {
    const port = await closedPort();
    sh(
      `printf 'cameras:\\n  - id: gate-1\\n    url: rtsp://127.0.0.1:${port}/stream\\n' >> /etc/edge-gateway/gateway.yaml`,
    );
    const r = inBox(['bash', INSTALL, '--yes', '--offline', '--upgrade', '--from', archive]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Diagnosing the cameras (configured and discovered), a line each...');
    expect(r.out).toMatch(new RegExp(`FAIL gate-1 +127\\.0\\.0\\.1:${port}: cannot connect: network: `));
    expect(r.out).toMatch(/\d+ camera\(s\), [1-9]\d* cannot be connected\./);
    expect(r.out).not.toContain('cam-Pw-2e7d');
  });

  it('--uninstall keeps the store and spool; --purge removes them and the user', () => {
    expect(install('--uninstall').code).toBe(0);
    const left = sh(
      'ls /opt/edge-gateway /etc/edge-gateway /etc/systemd/system/edge-gateway.service 2>&1 | grep -c "No such"; ls /var/lib/edge-gateway; getent passwd edge-gateway >/dev/null && echo user',
    ).out;
    expect(left.split('\n')).toEqual(['3', 'gateway.db', 'recordings', 'user', '']);
    expect(install('--uninstall', '--purge').code).toBe(0);
    expect(sh('ls /var/lib/edge-gateway 2>&1; getent passwd edge-gateway || echo no-user').out).toMatch(
      /No such file or directory\nno-user\n$/,
    );
  });
});
