// One discovery run inside the daemon: runs discover() with the configured settings, updates the
// inventory and announces each change (found, moved, lost). A device that answered but could not be
// read keeps the profiles it had, marked stale (store/inventory.ts record, core/inventory-merge.ts):
// one failed read never takes a camera off the relay. A camera keeps its id across address changes:
// its UUID, else its MAC, identifies it.
import { wallOf } from '../core/clock.ts';
import type { Config } from '../config/schema.ts';
import { credentialsKey as keyOf } from '../config/secrets.ts';
import type { AuthHolds } from '../core/auth-holds.ts';
import { isUsable, toInventoryUpdate, type DeviceReport } from '../core/device-report.ts';
import type { EventBus } from '../core/events.ts';
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
  /** Answered, but the read failed or was partial: the last good profiles were kept, marked stale. */
  stale: string[];
  /** Rejected the credentials, now or earlier: not tried again with them until the hold allows. */
  authFailed: string[];
}

interface Creds {
  username: string;
  password: string;
}

/** The camera's host: its account is one, whether ONVIF or the RTSP pull uses it (auth-holds.ts). */
const hostOf = (url: string) => new URL(url).hostname;
const sameUrl = (a: string | undefined, b: string) => a !== undefined && a.trim() === b.trim();

export async function rediscover(
  cfg: Config,
  db: Db,
  events: EventBus,
  signal?: AbortSignal,
  /** Cameras already announced as lost: not announced again until they answer. */
  lost: Set<string> = new Set(),
  holds?: AuthHolds,
  /** A camera appeared or moved while the run goes on: the relay may take it before slower ones are read. */
  onChange?: (cameraId: string) => void,
): Promise<RediscoverySummary> {
  // Loaded on first use: the daemon does not keep ONVIF and XML parsing in memory until it discovers.
  const { discover, discoverOptionsFrom } = await import('../onvif/discover.ts');
  const base = discoverOptionsFrom(cfg);
  // A manual onvif: entry is read with its own credentials and keeps its configured id.
  const entryOf = (url: string) => cfg.cameras.find((c) => c.enabled && sameUrl(c.onvif, url));
  const credsOf = (url: string): Creds | null => {
    const e = entryOf(url);
    return e?.username ? { username: e.username, password: e.password ?? '' } : base.credentials;
  };
  const repo = new InventoryRepo(db);
  const known = repo.list();
  const before = new Map(known.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const now = new Date();
  const at = now.toISOString();
  const summary: RediscoverySummary = {
    found: 0,
    usable: 0,
    appeared: [],
    moved: [],
    disappeared: [],
    stale: [],
    authFailed: [],
  };
  // A complete read goes to the inventory as soon as it is read, not after the slowest camera.
  // Failed reads wait for the end of the run: one camera can be read twice in a run (a manual
  // entry's old address and where it was found now), and a failed read must not undo a complete one.
  const failedReads: DeviceReport[] = [];
  const record = (r: DeviceReport) => {
    // Found by WS-Discovery at a manual entry's URL, it is that entry: its id, its credentials.
    const entry = entryOf(r.onvifUrl);
    const read = toInventoryUpdate(r);
    const id = entry ? { id: entry.id } : {};
    const earlier = isUsable(r) ? null : repo.find({ ...read, ...id });
    const again = earlier !== null && seen.has(earlier.id);
    const cam = again ? earlier : repo.record(read, { now, ...id });
    if (!again && cam.staleSince !== null) summary.stale.push(cam.id);
    seen.add(cam.id);
    lost.delete(cam.id);
    const creds = credsOf(r.onvifUrl);
    if (holds && creds) {
      const target = hostOf(r.onvifUrl);
      const kind = r.error?.kind;
      const wasHeld = holds.isHeld(target);
      if (kind === 'not-authorized' || kind === 'locked') {
        // A first read retries once after a clock re-sync: two failed logins on the camera.
        holds.rejected(target, keyOf(creds), wasHeld ? 1 : 2);
        const retryAt = holds.retryAt(target);
        events.emit('camera.auth', {
          cameraId: cam.id,
          address: r.address,
          via: 'onvif',
          retryAt: retryAt === null ? null : new Date(wallOf(retryAt)).toISOString(),
          at,
        });
      } else if (r.error === null) holds.accepted(target);
      if (holds.held().includes(target)) summary.authFailed.push(cam.id);
    }
    const was = before.get(cam.id);
    if (again) return;
    if (!was) {
      summary.appeared.push(cam.id);
      events.emit('discovery.camera', { cameraId: cam.id, change: 'found', address: r.address, at });
      onChange?.(cam.id);
    } else if (was.address !== cam.address) {
      summary.moved.push(cam.id);
      events.emit('discovery.camera', {
        cameraId: cam.id,
        change: 'moved',
        address: cam.address,
        previousAddress: was.address,
        at,
      });
      onChange?.(cam.id);
    }
  };
  await discover({
    ...base,
    // Held credentials are not sent: the device is read as far as it goes without them.
    credentialsFor: (url) => {
      const c = credsOf(url);
      return c && holds && !holds.mayTry(hostOf(url), keyOf(c)) ? null : c;
    },
    // A device that already rejected credentials gets one login per try, never a second one.
    resyncOnReject: (url) => !holds?.isHeld(hostOf(url)),
    onDevice: (r) => {
      summary.found++;
      if (isUsable(r)) {
        summary.usable++;
        record(r);
      } else failedReads.push(r);
    },
    ...(signal ? { signal } : {}),
  });
  failedReads.forEach(record);
  // Manual entries are not expected to answer discovery; only discovered cameras can be lost.
  for (const c of before.values()) {
    if (c.source === 'manual' || seen.has(c.id) || lost.has(c.id)) continue;
    lost.add(c.id);
    summary.disappeared.push(c.id);
    events.emit('discovery.camera', { cameraId: c.id, change: 'lost', address: c.address, at });
  }
  return summary;
}
