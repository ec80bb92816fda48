// The camera inventory table. A later discovery of the same camera updates it in place, found by
// identity, MAC or serial, so a camera moved by DHCP keeps its row and its id.
import type { Db } from './db.ts';
import type { InventoryCamera, InventoryRead } from '../core/inventory.ts';
import { suggestCameraId } from '../core/inventory.ts';
import { mergeRead } from '../core/inventory-merge.ts';

interface Row {
  id: string;
  identity: string;
  source: InventoryCamera['source'];
  endpoint_ref: string | null;
  address: string | null;
  onvif_url: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  mac: string | null;
  auth: InventoryCamera['auth'];
  clock_skew_s: number | null;
  profiles: string;
  snapshot_uri: string | null;
  last_error: string | null;
  stale_since: string | null;
  first_seen: string;
  last_seen: string;
}

function fromRow(r: Row): InventoryCamera {
  return {
    id: r.id,
    identity: r.identity,
    source: r.source,
    endpointRef: r.endpoint_ref,
    address: r.address,
    onvifUrl: r.onvif_url,
    manufacturer: r.manufacturer,
    model: r.model,
    firmware: r.firmware,
    serial: r.serial,
    mac: r.mac,
    auth: r.auth,
    clockSkewSeconds: r.clock_skew_s,
    profiles: JSON.parse(r.profiles) as InventoryCamera['profiles'],
    snapshotUri: r.snapshot_uri,
    lastError: r.last_error,
    staleSince: r.stale_since,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

const isUuid = (identity: string): boolean => identity.startsWith('uuid:');

export type InventoryUpdate = InventoryRead & { id?: string; staleSince?: string | null };

export class InventoryRepo {
  constructor(private readonly db: Db) {}

  list(): InventoryCamera[] {
    return (this.db.prepare('SELECT * FROM cameras ORDER BY id').all() as Row[]).map(fromRow);
  }

  get(id: string): InventoryCamera | null {
    const r = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  /**
   * The row a read belongs to: the given id (a manual entry's), else the same identity, else the same
   * MAC (a scanned camera moved by DHCP), else manufacturer, serial and ONVIF URL (a device first found
   * by a scan, later by WS-Discovery), else, for a read known only by its address, the row at that
   * ONVIF URL. Two different UUIDs are two devices, whatever else they share (several Tapo units share
   * one serial; an address is reused by DHCP).
   */
  find(c: Pick<InventoryUpdate, 'id' | 'identity' | 'mac' | 'serial' | 'manufacturer' | 'onvifUrl'>) {
    const row = this.findRow(c);
    return row ? fromRow(row) : null;
  }

  private findRow(c: Parameters<InventoryRepo['find']>[0]): Row | undefined {
    const one = (sql: string, ...args: unknown[]) => this.db.prepare(sql).get(...args) as Row | undefined;
    const sameDevice = (r: Row | undefined) =>
      r && isUuid(r.identity) && isUuid(c.identity) ? undefined : r;
    return (
      (c.id ? one('SELECT * FROM cameras WHERE id = ?', c.id) : undefined) ??
      one('SELECT * FROM cameras WHERE identity = ?', c.identity) ??
      (c.mac ? sameDevice(one('SELECT * FROM cameras WHERE mac = ?', c.mac)) : undefined) ??
      (c.serial && c.onvifUrl
        ? sameDevice(
            one(
              'SELECT * FROM cameras WHERE serial = ? AND manufacturer IS ? AND onvif_url = ?',
              c.serial,
              c.manufacturer,
              c.onvifUrl,
            ),
          )
        : undefined) ??
      // Known by nothing but its address (a failed read of a scanned camera): the row at that URL.
      // Not for a given id: a manual entry keeps its configured id, whoever else was seen there.
      (!c.id && c.identity.startsWith('addr:') && c.onvifUrl
        ? one('SELECT * FROM cameras WHERE onvif_url = ? ORDER BY last_seen DESC', c.onvifUrl)
        : undefined)
    );
  }

  /**
   * Records one discovery read: merged with what the row knew (a failed or partial read keeps the
   * last good profiles, marked stale), then written. `id` keeps a manual entry's configured id.
   */
  record(read: InventoryRead, opts: { id?: string; now?: Date } = {}): InventoryCamera {
    const now = opts.now ?? new Date();
    return this.db.transaction(() => {
      const prior = this.find({ ...read, ...(opts.id ? { id: opts.id } : {}) });
      const merged = mergeRead(prior, read, now.toISOString());
      const id = opts.id ?? prior?.id;
      return this.upsert({ ...merged, ...(id ? { id } : {}) }, now);
    })();
  }

  /**
   * The snapshot URI read on first use (discovery reads it only where it costs no round trip): not a
   * sighting, so last_seen stays. Later reads without one keep it (core/inventory-merge.ts).
   */
  setSnapshotUri(id: string, uri: string): void {
    this.db.prepare('UPDATE cameras SET snapshot_uri = ? WHERE id = ?').run(uri, id);
  }

  /** Inserts or updates the row `find` names (see there). */
  upsert(c: InventoryUpdate, now = new Date()): InventoryCamera {
    const ts = now.toISOString();
    return this.db.transaction(() => {
      const existing = this.findRow(c);
      const id = existing?.id ?? c.id ?? this.freeId(suggestCameraId(c.identity, c.manufacturer));
      // A later scan of a device known by its UUID must not replace the UUID with a weaker identity.
      const keep = existing && isUuid(existing.identity) && !isUuid(c.identity) ? existing : null;
      const values = {
        id,
        identity: keep?.identity ?? c.identity,
        source: c.source,
        endpoint_ref: keep ? keep.endpoint_ref : c.endpointRef,
        address: c.address,
        onvif_url: c.onvifUrl,
        manufacturer: c.manufacturer,
        model: c.model,
        firmware: c.firmware,
        serial: c.serial,
        mac: c.mac,
        auth: c.auth,
        clock_skew_s: c.clockSkewSeconds,
        profiles: JSON.stringify(c.profiles),
        snapshot_uri: c.snapshotUri,
        last_error: c.lastError,
        stale_since: c.staleSince ?? null,
        first_seen: existing?.first_seen ?? ts,
        last_seen: ts,
      };
      this.db
        .prepare(
          `INSERT INTO cameras (id, identity, source, endpoint_ref, address, onvif_url, manufacturer, model, firmware, serial,
             mac, auth, clock_skew_s, profiles, snapshot_uri, last_error, stale_since, first_seen, last_seen)
           VALUES (@id, @identity, @source, @endpoint_ref, @address, @onvif_url, @manufacturer, @model, @firmware, @serial,
             @mac, @auth, @clock_skew_s, @profiles, @snapshot_uri, @last_error, @stale_since, @first_seen, @last_seen)
           ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, source = excluded.source,
             endpoint_ref = excluded.endpoint_ref, address = excluded.address, onvif_url = excluded.onvif_url,
             manufacturer = excluded.manufacturer, model = excluded.model, firmware = excluded.firmware,
             serial = excluded.serial, mac = excluded.mac, auth = excluded.auth, clock_skew_s = excluded.clock_skew_s,
             profiles = excluded.profiles, snapshot_uri = excluded.snapshot_uri, last_error = excluded.last_error,
             stale_since = excluded.stale_since, last_seen = excluded.last_seen`,
        )
        .run(values);
      return fromRow(values);
    })();
  }

  private freeId(base: string): string {
    const taken = this.db.prepare('SELECT 1 FROM cameras WHERE id = ?');
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      if (!taken.get(candidate)) return candidate;
    }
  }
}
