// Issue 12 item 7: a camera that answers every call late does not hold back the others. The daemon's
// discovery writes each camera to the inventory and announces it as soon as it is read, so the fast
// cameras are reported before the slow one, which is itself read in full. Checked by the order of
// the reports, not by a timing threshold: the slow camera has the lowest address, so a discovery
// that reported only once every camera was read (in address order) would announce it first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import { EventBus } from '../../src/core/events.ts';
import { rediscover } from '../../src/discovery/rediscovery.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { startSite, type SimSite } from '../sim/site.ts';

let site: SimSite;
let dir: string;
let db: Db;

beforeAll(async () => {
  site = await startSite({
    cameras: [
      // Each of its calls answered 2 s late: its read takes several seconds, the others' a fraction.
      { id: 'slow', personality: 'hikvision', responseDelayMs: 2000, rtsp: false },
      { id: 'fast-hik', personality: 'hikvision', rtsp: false },
      { id: 'fast-dahua', personality: 'dahua', rtsp: false },
      { id: 'fast-axis', personality: 'axis', rtsp: false },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'egw-slow-'));
  db = openStore(join(dir, 'gateway.db'));
}, 120_000);

afterAll(async () => {
  db?.close();
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('discovery with one slow camera', () => {
  it('reports every fast camera to the inventory before the slow one, and reads the slow one in full', async () => {
    const slow = site.cameras.find((c) => c.spec.id === 'slow')!;
    const cfg = validateConfig(
      {
        site: { id: 'slow-site', name: 'Slow camera' },
        discovery: {
          interfaces: ['lo'],
          probeWindowSeconds: 1,
          callTimeoutSeconds: 10,
          multicastAddress: site.discoveryGroup,
          multicastPort: site.discoveryPort,
          username: 'admin',
          password: 'Secret-123',
        },
        recording: { dir: join(dir, 'rec') },
        store: { path: join(dir, 'gateway.db') },
        mqtt: { url: 'mqtt://127.0.0.1:1' },
      },
      'test',
    );
    const repo = new InventoryRepo(db);
    const reports: { address: string; slowInInventory: boolean; selfInInventory: boolean }[] = [];
    const events = new EventBus();
    events.on('discovery.camera', (e) => {
      if (e.change !== 'found') return;
      const rows = repo.list();
      reports.push({
        address: e.address ?? '',
        slowInInventory: rows.some((r) => r.address === slow.host),
        selfInInventory: rows.some((r) => r.address === e.address),
      });
    });
    const changed: string[] = [];
    const summary = await rediscover(cfg, db, events, undefined, new Set(), undefined, (id) =>
      changed.push(id),
    );

    expect(summary.found).toBe(4);
    expect(summary.usable).toBe(4);
    expect(reports.map((r) => r.address)).toHaveLength(4);
    // The slow camera is reported last; when each fast one was reported, it was already in the
    // inventory and the slow one was not yet.
    expect(reports.at(-1)!.address).toBe(slow.host);
    for (const r of reports.slice(0, 3)) {
      expect(r.selfInInventory, r.address).toBe(true);
      expect(r.slowInInventory, r.address).toBe(false);
    }
    // The relay was told of each new camera while the run went on, once each.
    expect(changed).toHaveLength(4);
    const row = repo.list().find((c) => c.address === slow.host)!;
    expect(row.profiles.filter((p) => p.streamUri).length).toBeGreaterThan(0);
    // Three video profiles: its snapshot URI would cost a fifth round trip, so it is read on first
    // use (the remote snapshot command), not here.
    expect(row.snapshotUri).toBeNull();
    expect(slow.failedLogins()).toBe(0);
  }, 120_000);
});
