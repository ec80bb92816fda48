// The inventory keeps what it knew (issue 12 item 2), end to end: the real daemon against the
// simulated site and a real RTMP ingest. A camera found by the subnet scan (no WS-Discovery, so no
// endpoint reference) moves to a new address while the daemon runs: it keeps its id (its MAC, read by
// GetNetworkInterfaces, identifies it), its relay is re-pointed, and the other cameras never restart.
// A rediscovery whose ONVIF read of a camera times out leaves its profiles and its relay as they were,
// the profiles marked stale in the inventory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryCamera } from '../../src/core/inventory.ts';
import type { GatewayStatus } from '../../src/core/status.ts';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimCamera, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { discoveryLines, fastRelayLines, localLines } from '../support/daemon-config.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let rtmp: Ingest;
let dir: string;
let daemon: Daemon;
let db: string;

const stream = (s: GatewayStatus, id: string) => s.streams.find((x) => x.cameraId === id);
const live = (s: GatewayStatus, id: string) => {
  const st = stream(s, id);
  return st?.state === 'live' && st.destinations.every((d) => d.state === 'live');
};

async function inventory(): Promise<InventoryCamera[]> {
  const r = await runCli(['inventory', '--json', '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { cameras: InventoryCamera[] }).cameras;
}

const idOf = async (cam: SimCamera) => (await inventory()).find((c) => c.mac === cam.mac)?.id;

/** The camera address in the command line of a relay process (its pull URL). */
const pullsFrom = (pid: number | null | undefined) =>
  pid ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') : '';

async function frames(id: string, more: number, ms = 45_000): Promise<void> {
  const before = await rtmp.framesReceived(id);
  await waitFor(async () => (await rtmp.framesReceived(id)) > before + more, `${id} frames`, ms);
}

/** Resolves with the summary of the first discovery that starts after this call and completes. */
async function nextDiscovery(ms = 45_000): Promise<Record<string, unknown>> {
  const from = daemon.log().length;
  const done = () => {
    const lines = daemon.log().slice(from).split('\n');
    const started = lines.findIndex((l) => l.includes('"discovery started"'));
    const line = lines.slice(started + 1).find((l) => started >= 0 && l.includes('"discovery done"'));
    return line ? (JSON.parse(line) as Record<string, unknown>) : null;
  };
  return waitFor(() => Promise.resolve(done()), 'a whole discovery run', ms);
}

beforeAll(async () => {
  [site, rtmp] = await Promise.all([
    startSite({
      cameras: [
        { id: 'cam-a', personality: 'hikvision' },
        // Found only by the subnet scan: no endpoint reference, so before the MAC its id came from its address.
        { id: 'cam-s', personality: 'hikvision', discoverable: false },
        { id: 'cam-f', personality: 'axis' },
      ],
    }),
    startRtmpIngest(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'egw-moves-'));
  db = join(dir, 'gateway.db'); // where localLines puts it
  const socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  const block = site.cameras[0]!.host.replace(/\.\d+$/, '.0');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Moving site }',
      // The site's first 30 addresses, on the scanned camera's ONVIF port (chosen by the OS).
      ...discoveryLines(site, [`  subnets: [${block}/27]`, `  ports: [${site.cameras[1]!.onvifPort}]`]),
      // Every 5 s (node-cron reads a sixth, seconds field): one cycle is short in a test.
      'schedules: { rediscover: "*/5 * * * * *", retention: "off", availabilityReport: "off" }',
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      ...fastRelayLines(socket),
      ...localLines(dir),
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket, { CAM_PASSWORD: 'Secret-123' });
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the inventory keeps what it knew', () => {
  let ids: string[] = [];

  beforeAll(async () => {
    await waitFor(
      async () => {
        const st = await daemon.status();
        return st.streams.length === 3 && st.streams.every((x) => live(st, x.cameraId)) ? st : null;
      },
      `three cameras discovered and live\n${daemon.log().slice(-3000)}`,
      120_000,
    );
    ids = await Promise.all(site.cameras.map(async (c) => (await idOf(c))!));
    for (const id of ids) await frames(id, 10);
  }, 180_000);

  it('keeps the id of a scanned camera moved to a new address, re-points only its relay', async () => {
    const [a, s, f] = ids as [string, string, string];
    const cam = site.cameras[1]!;
    const oldHost = cam.host;
    expect(pullsFrom(stream(await daemon.status(), s)?.pid)).toContain(`${oldHost}:`);
    const before = await daemon.status();
    const t0 = Date.now();
    const newHost = await cam.moveTo();
    expect(newHost).not.toBe(oldHost);

    // Live again, pulling from the new address, under the same id.
    await waitFor(
      async () => {
        const st = await daemon.status();
        return live(st, s) && pullsFrom(stream(st, s)?.pid).includes(`${newHost}:`);
      },
      `${s} re-pointed to ${newHost}\n${daemon.log().slice(-3000)}`,
      60_000,
    );
    // Nothing serves the old address any more: these frames come from the new one.
    await frames(s, 1);
    const seconds = (Date.now() - t0) / 1000;
    console.info(`figure: camera moved to a new address -> first frames from there: ${seconds.toFixed(1)} s`);

    const rows = await inventory();
    expect(rows.map((r) => r.id).sort(), JSON.stringify(rows, null, 1)).toEqual([...ids].sort());
    expect(rows.find((r) => r.id === s)).toMatchObject({ address: newHost, mac: cam.mac, source: 'scan' });
    expect(daemon.log()).toContain(`"moved":["${s}"]`);
    const after = await daemon.status();
    expect(after.streams.map((x) => x.cameraId).sort()).toEqual([...ids].sort());
    for (const id of [a, f]) {
      expect([stream(after, id)?.pid, stream(after, id)?.restartsLastHour], id).toEqual([
        stream(before, id)?.pid,
        0,
      ]);
    }
  }, 120_000);

  it('keeps the profiles and the relay of a camera whose ONVIF read times out, marked stale', async () => {
    const f = ids[2]!;
    const cam = site.cameras[2]!;
    const good = (await inventory()).find((r) => r.id === f)!;
    expect(good.staleSince).toBeNull();
    const before = stream(await daemon.status(), f)!;

    cam.failCall('GetProfiles', 'hang');
    const t0 = Date.now();
    // A run that started after the failure began: its read of the camera timed out.
    const summary = await nextDiscovery();
    expect(summary.stale).toEqual([f]);
    const stale = (await inventory()).find((r) => r.id === f)!;
    expect(stale.profiles).toEqual(good.profiles);
    expect(Date.parse(stale.staleSince!)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(stale.lastError).toMatch(/^profiles: /);
    const table = await runCli(['inventory', '--db', db]);
    expect(table.stdout).toContain(stale.staleSince);

    // The relay never noticed: same process, no restart, frames still arriving.
    await frames(f, 5);
    const after = stream(await daemon.status(), f)!;
    expect([after.pid, after.restartsLastHour]).toEqual([before.pid, 0]);

    // Healed: the next complete read clears the mark.
    cam.failCall('GetProfiles', null);
    await waitFor(
      async () => ((await inventory()).find((r) => r.id === f)?.staleSince === null ? true : null),
      'the stale mark cleared',
      45_000,
    );
    expect(site.cameras.map((c) => c.locked())).toEqual([false, false, false]);
  }, 120_000);
});
