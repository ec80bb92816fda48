// Re-discovery, for the `rediscover` command and the nightly schedule: runs discover() with the
// configured settings, updates the inventory and announces cameras that appeared or disappeared.
// The relay takes new cameras on its next start (it plans once, at start).
import type { Config } from '../config/schema.ts';
import { isUsable, toInventoryUpdate } from '../core/device-report.ts';
import type { EventBus } from '../core/events.ts';
import type { Db } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';

export interface RediscoverySummary {
  found: number;
  usable: number;
  appeared: string[];
  disappeared: string[];
}

export async function rediscover(
  cfg: Config,
  db: Db,
  events: EventBus,
  signal?: AbortSignal,
): Promise<RediscoverySummary> {
  // Loaded on first use: the daemon does not keep ONVIF and XML parsing in memory until it discovers.
  const { discover, discoverOptionsFrom } = await import('../onvif/discover.ts');
  const result = await discover({ ...discoverOptionsFrom(cfg), ...(signal ? { signal } : {}) });
  const repo = new InventoryRepo(db);
  const before = new Map(repo.list().map((c) => [c.id, c]));
  const seen = new Set<string>();
  const at = new Date().toISOString();
  const appeared: string[] = [];
  for (const r of result.devices) {
    const cam = repo.upsert(toInventoryUpdate(r));
    seen.add(cam.id);
    if (!before.has(cam.id)) {
      appeared.push(cam.id);
      events.emit('discovery.camera', { cameraId: cam.id, change: 'appeared', address: r.address, at });
    }
  }
  // Manual entries are not expected to answer discovery; only discovered cameras can disappear.
  const disappeared = [...before.values()]
    .filter((c) => c.source !== 'manual' && !seen.has(c.id))
    .map((c) => c.id);
  for (const id of disappeared)
    events.emit('discovery.camera', {
      cameraId: id,
      change: 'disappeared',
      address: before.get(id)?.address ?? null,
      at,
    });
  return {
    found: result.devices.length,
    usable: result.devices.filter(isUsable).length,
    appeared,
    disappeared,
  };
}
