// One rediscovery of the daemon against the simulated site (loopback multicast, real SQLite): a
// manual `onvif:` entry found by WS-Discovery keeps its configured id, and when the camera moves it
// keeps that id at its new address, while the failed read of the entry's old address in the same run
// never undoes the complete one (no address flip-flop from run to run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { EventBus, type GatewayEvents } from '../../src/core/events.ts';
import { rediscover } from '../../src/discovery/rediscovery.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { startSite, type SimSite } from '../sim/site.ts';

let site: SimSite;
let dir: string;
let db: Db;
let cfg: Config;
const events = new EventBus();
const changes: GatewayEvents['discovery.camera'][] = [];

beforeAll(async () => {
  site = await startSite({ cameras: [{ id: 'hik-1', personality: 'hikvision', rtsp: false }] });
  dir = mkdtempSync(join(tmpdir(), 'egw-rediscovery-'));
  const cam = site.cameras[0]!;
  cfg = validateConfig(
    {
      site: { id: 'sim', name: 'Rediscovery' },
      cameras: [{ id: 'gate-1', onvif: cam.onvifUrl, username: 'admin', password: 'Secret-123' }],
      discovery: {
        interfaces: ['lo'],
        multicastAddress: site.discoveryGroup,
        multicastPort: site.discoveryPort,
        probeWindowSeconds: 1,
        callTimeoutSeconds: 3,
        // The site's account: what a camera found at an address no entry names is read with.
        username: 'admin',
        password: 'Secret-123',
      },
      recording: { dir: join(dir, 'rec') },
      store: { path: join(dir, 'gw.db') },
      schedules: { rediscover: 'off', retention: 'off', availabilityReport: 'off' },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
    },
    'test.yaml',
  );
  db = openStore(cfg.store.path);
  events.on('discovery.camera', (e) => changes.push(e));
});
afterAll(async () => {
  db?.close();
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a manual onvif: entry across rediscoveries', () => {
  it('keeps its configured id when WS-Discovery finds it at its URL', async () => {
    const s = await rediscover(cfg, db, events);
    expect(s.appeared).toEqual(['gate-1']);
    expect(new InventoryRepo(db).list().map((c) => [c.id, c.address])).toEqual([
      ['gate-1', site.cameras[0]!.host],
    ]);
  });

  it('keeps its id at the address it moved to, run after run, though its configured URL fails', async () => {
    const cam = site.cameras[0]!;
    const oldHost = cam.host;
    const newHost = await cam.moveTo();
    changes.length = 0;
    for (let run = 0; run < 2; run++) {
      const s = await rediscover(cfg, db, events);
      // Two reads of one camera: the complete one at the new address, the entry's URL refused.
      expect(s.found).toBe(2);
      expect([s.moved, s.stale, s.appeared]).toEqual([run === 0 ? ['gate-1'] : [], [], []]);
      const rows = new InventoryRepo(db).list();
      expect(rows.map((c) => [c.id, c.address, c.staleSince])).toEqual([['gate-1', newHost, null]]);
      expect(rows[0]!.profiles.every((p) => !p.streamUri || p.streamUri.includes(`//${newHost}:`))).toBe(
        true,
      );
    }
    expect(changes).toEqual([
      expect.objectContaining({ cameraId: 'gate-1', change: 'moved', previousAddress: oldHost }),
    ]);
    expect(cam.failedLogins()).toBe(0);
  });
});
