// The snapshot URI read on first use (src/discovery/snapshot-uri.ts), where discovery left it out:
// a camera that refuses the credentials sees them at most twice (the clock re-read and one retry),
// then not again while the login hold lasts, as in discovery; none of it is stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import { AuthHolds } from '../../src/core/auth-holds.ts';
import { toInventoryUpdate } from '../../src/core/device-report.ts';
import { HeldLoginError, snapshotUriOf } from '../../src/discovery/snapshot-uri.ts';
import { probeDevice } from '../../src/onvif/probe-device.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { startSite, type SimSite } from '../sim/site.ts';

let site: SimSite;
let dir: string;
let db: Db;

beforeAll(async () => {
  // Three video profiles: discovery leaves its snapshot URI out.
  site = await startSite({ cameras: [{ id: 'hik', personality: 'hikvision', rtsp: false }] });
  dir = mkdtempSync(join(tmpdir(), 'egw-snapuri-'));
  db = openStore(join(dir, 'gateway.db'));
  const sim = site.cameras[0]!;
  const read = await probeDevice(
    { onvifUrl: sim.onvifUrl, endpointRef: sim.endpointRef, source: 'discovery' },
    { credentials: { username: 'admin', password: 'Secret-123' }, timeoutMs: 5000, maxInFlight: 2 },
  );
  new InventoryRepo(db).record(toInventoryUpdate(read), { id: 'hik' });
}, 120_000);

afterAll(async () => {
  db?.close();
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const config = (password: string) =>
  validateConfig(
    {
      site: { id: 's', name: 'Snapshot URI' },
      discovery: { username: 'admin', password, callTimeoutSeconds: 5 },
      recording: { dir: join(dir, 'rec') },
      store: { path: join(dir, 'gateway.db') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
    },
    'test',
  );

describe('the snapshot URI on first use', () => {
  it('holds refused credentials: two failed logins, then none until the hold allows, nothing stored', async () => {
    const sim = site.cameras[0]!;
    expect(new InventoryRepo(db).get('hik')!.snapshotUri).toBeNull();
    // No retry within the hour: the second ask must not reach the camera.
    const holds = new AuthHolds(0);
    const cfg = config('Wrong-password-1');
    const failed = sim.failedLogins();

    await expect(snapshotUriOf(cfg, db, 'hik', holds)).rejects.toMatchObject({ kind: 'not-authorized' });
    expect(sim.failedLogins() - failed).toBe(2);
    const seen = sim.requests().length;
    await expect(snapshotUriOf(cfg, db, 'hik', holds)).rejects.toBeInstanceOf(HeldLoginError);
    expect(sim.requests().length).toBe(seen);
    expect(new InventoryRepo(db).get('hik')!.snapshotUri).toBeNull();

    // Other credentials (a reload) are tried at once, and the URI is kept.
    expect(await snapshotUriOf(config('Secret-123'), db, 'hik', holds)).toBe(sim.snapshotUrl);
    expect(new InventoryRepo(db).get('hik')!.snapshotUri).toBe(sim.snapshotUrl);
    expect(holds.isHeld(sim.host)).toBe(false);
  }, 60_000);
});
