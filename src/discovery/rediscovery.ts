// One discovery run inside the daemon: runs discover() with the configured settings, updates the
// inventory and announces each change (found, moved, lost). A device that answered but could not be
// read keeps the profiles it had, marked stale: one failed read never takes a camera off the relay.
import type { Config } from '../config/schema.ts';
import { isUsable, reportIdentity, toInventoryUpdate } from '../core/device-report.ts';
import type { EventBus } from '../core/events.ts';
import type { InventoryCamera } from '../core/inventory.ts';
import type { Db } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';

export interface RediscoverySummary {
  found: number;
  usable: number;
  /** New to the inventory. */
  appeared: string[];
  /** Known, now at another address. */
  moved: string[];
  /** Known and discovered before, not answering this time (still relayed from its last address). */
  disappeared: string[];
  /** Answered, but the read failed: the last good profiles were kept. */
  stale: string[];
}

export async function rediscover(
  cfg: Config,
  db: Db,
  events: EventBus,
  signal?: AbortSignal,
  /** Cameras already announced as lost: not announced again until they answer. */
  lost: Set<string> = new Set(),
): Promise<RediscoverySummary> {
  // Loaded on first use: the daemon does not keep ONVIF and XML parsing in memory until it discovers.
  const { discover, discoverOptionsFrom } = await import('../onvif/discover.ts');
  const result = await discover({ ...discoverOptionsFrom(cfg), ...(signal ? { signal } : {}) });
  const repo = new InventoryRepo(db);
  const known = repo.list();
  const before = new Map(known.map((c) => [c.id, c]));
  const byIdentity = new Map(known.map((c) => [c.identity, c]));
  const seen = new Set<string>();
  const at = new Date().toISOString();
  const summary: RediscoverySummary = {
    found: result.devices.length,
    usable: result.devices.filter(isUsable).length,
    appeared: [],
    moved: [],
    disappeared: [],
    stale: [],
  };
  for (const r of result.devices) {
    const update = toInventoryUpdate(r);
    const prior = byIdentity.get(reportIdentity(r));
    if (!isUsable(r) && prior && prior.profiles.length > 0) {
      keepStale(update, prior, at);
      summary.stale.push(prior.id);
    }
    const cam = repo.upsert(update);
    seen.add(cam.id);
    lost.delete(cam.id);
    const was = before.get(cam.id);
    if (!was) {
      summary.appeared.push(cam.id);
      events.emit('discovery.camera', { cameraId: cam.id, change: 'found', address: r.address, at });
    } else if (was.address !== cam.address) {
      summary.moved.push(cam.id);
      events.emit('discovery.camera', {
        cameraId: cam.id,
        change: 'moved',
        address: cam.address,
        previousAddress: was.address,
        at,
      });
    }
  }
  // Manual entries are not expected to answer discovery; only discovered cameras can be lost.
  for (const c of before.values()) {
    if (c.source === 'manual' || seen.has(c.id) || lost.has(c.id)) continue;
    lost.add(c.id);
    summary.disappeared.push(c.id);
    events.emit('discovery.camera', { cameraId: c.id, change: 'lost', address: c.address, at });
  }
  return summary;
}

/** The update keeps the last good profiles and says since when they are stale, and why. */
function keepStale(
  update: Omit<InventoryCamera, 'id' | 'firstSeen' | 'lastSeen'>,
  prior: InventoryCamera,
  at: string,
) {
  update.profiles = prior.profiles;
  update.snapshotUri = update.snapshotUri ?? prior.snapshotUri;
  update.auth = update.auth ?? prior.auth;
  update.lastError = `stale since ${at}: ${update.lastError ?? 'no usable profile'}`;
}
