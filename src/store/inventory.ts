// The camera inventory table. A later discovery of the same camera updates it in place.
import type { Db } from './db.ts';
import type { InventoryCamera } from '../core/inventory.ts';
import { suggestCameraId } from '../core/inventory.ts';

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
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

const isUuid = (identity: string): boolean => identity.startsWith('uuid:');

export type InventoryUpdate = Omit<InventoryCamera, 'id' | 'firstSeen' | 'lastSeen'> & { id?: string };

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
   * Inserts or updates by identity. A device first found by a scan (no endpoint reference) and
   * later by WS-Discovery is matched on manufacturer, serial and ONVIF URL, so it is not added twice.
   */
  upsert(c: InventoryUpdate, now = new Date()): InventoryCamera {
    const ts = now.toISOString();
    return this.db.transaction(() => {
      let existing = this.db.prepare('SELECT * FROM cameras WHERE identity = ?').get(c.identity) as
        Row | undefined;
      if (!existing && c.serial && c.onvifUrl) {
        const match = this.db
          .prepare('SELECT * FROM cameras WHERE serial = ? AND manufacturer IS ? AND onvif_url = ?')
          .get(c.serial, c.manufacturer, c.onvifUrl) as Row | undefined;
        // Two different UUIDs are two devices, even with one serial (Tapo) at a reused address (DHCP).
        if (match && !(isUuid(match.identity) && isUuid(c.identity))) existing = match;
      }
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
        first_seen: existing?.first_seen ?? ts,
        last_seen: ts,
      };
      this.db
        .prepare(
          `INSERT INTO cameras (id, identity, source, endpoint_ref, address, onvif_url, manufacturer, model, firmware, serial,
             mac, auth, clock_skew_s, profiles, snapshot_uri, last_error, first_seen, last_seen)
           VALUES (@id, @identity, @source, @endpoint_ref, @address, @onvif_url, @manufacturer, @model, @firmware, @serial,
             @mac, @auth, @clock_skew_s, @profiles, @snapshot_uri, @last_error, @first_seen, @last_seen)
           ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, source = excluded.source,
             endpoint_ref = excluded.endpoint_ref, address = excluded.address, onvif_url = excluded.onvif_url,
             manufacturer = excluded.manufacturer, model = excluded.model, firmware = excluded.firmware,
             serial = excluded.serial, mac = excluded.mac, auth = excluded.auth, clock_skew_s = excluded.clock_skew_s,
             profiles = excluded.profiles, snapshot_uri = excluded.snapshot_uri, last_error = excluded.last_error,
             last_seen = excluded.last_seen`,
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
