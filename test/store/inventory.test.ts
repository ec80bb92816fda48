// The inventory database on real SQLite files: schema versioning, and the merge rules that keep
// one row per physical camera across discovery runs.
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cameraIdentity } from '../../src/core/inventory.ts';
import { migrate, openStore, StoreError, type Db } from '../../src/store/db.ts';
import { InventoryRepo, type InventoryUpdate } from '../../src/store/inventory.ts';
import { migrations } from '../../src/store/migrations.ts';

let dir: string;
const open: Db[] = [];

function store(name = 'gateway.db'): { db: Db; repo: InventoryRepo; path: string } {
  const path = join(dir, name);
  const db = openStore(path);
  open.push(db);
  return { db, repo: new InventoryRepo(db), path };
}

/** Paths this process holds open. */
function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

function camera(over: Partial<InventoryUpdate> & Pick<InventoryUpdate, 'identity'>): InventoryUpdate {
  return {
    source: 'discovery',
    endpointRef: null,
    address: '192.168.1.64',
    onvifUrl: 'http://192.168.1.64/onvif/device_service',
    manufacturer: 'HIKVISION',
    model: 'DS-2CD2012-I',
    firmware: 'V5.2.0 build 140721',
    serial: 'DS-2CD2012-I20140721AAWR471936405',
    mac: null,
    auth: 'ws-security',
    clockSkewSeconds: 2,
    profiles: [],
    snapshotUri: null,
    lastError: null,
    ...over,
  };
}

const T1 = new Date('2025-03-01T08:00:00.000Z');
const T2 = new Date('2025-03-02T09:30:00.000Z');
const T3 = new Date('2025-03-03T10:45:00.000Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-store-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openStore and migrations', () => {
  it('creates a new file, with its directory, in WAL mode at the latest schema version', () => {
    const path = join(dir, 'var', 'lib', 'edge-gateway', 'gateway.db');
    const db = openStore(path);
    open.push(db);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(migrations.length).toBeGreaterThan(0);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cameras'").get(),
    ).toBeTruthy();
  });

  it('treats a second migration run, and a reopen, as a no-op', () => {
    const { db, repo, path } = store();
    repo.upsert(camera({ identity: 'uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2' }), T1);
    const schema = () => db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    const before = schema();
    expect(migrate(db)).toBe(migrations.length);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(schema()).toEqual(before);
    db.close();
    const again = openStore(path);
    open.push(again);
    expect(new InventoryRepo(again).list()).toHaveLength(1);
  });

  it('refuses a database written by a newer gateway and leaves it untouched', () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${migrations.length + 1}`);
    raw.close();
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(
      `the database is at schema version ${migrations.length + 1}, newer than this gateway knows (${migrations.length}); upgrade the gateway`,
    );
    // The refusal closes the file instead of keeping it open behind the error (Linux: /proc/self/fd).
    expect(openFiles().filter((f) => f.startsWith(path))).toEqual([]);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(migrations.length + 1);
    check.close();
  });

  it('says which file it could not open read-only', () => {
    const path = join(dir, 'absent.db');
    expect(() => openStore(path, { readonly: true })).toThrow(
      new RegExp(`^cannot open the database ${path}: `),
    );
    expect(existsSync(path)).toBe(false);
  });
});

describe('InventoryRepo.upsert', () => {
  const uuidA = 'uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2';

  it('updates the address in place by identity, keeping first seen and advancing last seen', () => {
    const { repo } = store();
    const first = repo.upsert(camera({ identity: uuidA, address: '192.168.1.64' }), T1);
    const second = repo.upsert(
      camera({
        identity: uuidA,
        address: '192.168.1.99',
        onvifUrl: 'http://192.168.1.99/onvif/device_service',
      }),
      T2,
    );
    expect(second.id).toBe(first.id);
    const rows = repo.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: first.id,
      address: '192.168.1.99',
      onvifUrl: 'http://192.168.1.99/onvif/device_service',
      firstSeen: T1.toISOString(),
      lastSeen: T2.toISOString(),
    });
  });

  it('merges a device found by scan with the same device found later by WS-Discovery', () => {
    const { repo } = store();
    const info = {
      serial: 'DS-2CD2012-I20140721AAWR471936405',
      manufacturer: 'HIKVISION',
      address: '192.168.20.31',
      onvifUrl: 'http://192.168.20.31/onvif/device_service',
    };
    const scanIdentity = cameraIdentity({ ...info, address: '192.168.20.31:80' });
    expect(scanIdentity).toBe('addr:192.168.20.31:80');
    const scanned = repo.upsert(
      camera({ ...info, identity: scanIdentity, source: 'scan', endpointRef: null }),
      T1,
    );

    const endpoint = 'urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2';
    const found = repo.upsert(
      camera({
        ...info,
        identity: cameraIdentity({ ...info, endpointRef: endpoint }),
        source: 'discovery',
        endpointRef: endpoint,
      }),
      T2,
    );
    expect(found.id).toBe(scanned.id);
    expect(repo.list()).toHaveLength(1);
    expect(repo.get(scanned.id)).toMatchObject({
      identity: uuidA,
      source: 'discovery',
      endpointRef: endpoint,
      firstSeen: T1.toISOString(),
      lastSeen: T2.toISOString(),
    });

    // The next scan (multicast blocked again) finds it without an endpoint: still one row, and its UUID stays.
    repo.upsert(camera({ ...info, identity: scanIdentity, source: 'scan', endpointRef: null }), T3);
    expect(repo.list()).toHaveLength(1);
    expect(repo.get(scanned.id)).toMatchObject({
      identity: uuidA,
      endpointRef: endpoint,
      lastSeen: T3.toISOString(),
    });
  });

  it('keeps two devices that share a serial but have different UUIDs as two rows, even at a reused address', () => {
    const { repo } = store();
    const tapo = { manufacturer: 'tp-link', model: 'Tapo C200', serial: '00000000' };
    const at = (ip: string) => ({ address: ip, onvifUrl: `http://${ip}:2020/onvif/device_service` });
    const a = 'uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b201';
    const b = 'uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b202';
    const c = 'uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b203';

    const first = repo.upsert(
      camera({ ...tapo, identity: a, endpointRef: `urn:${a}`, ...at('192.168.1.20') }),
      T1,
    );
    const second = repo.upsert(
      camera({ ...tapo, identity: b, endpointRef: `urn:${b}`, ...at('192.168.1.21') }),
      T1,
    );
    expect(second.id).not.toBe(first.id);
    expect(repo.list()).toHaveLength(2);

    // A is unplugged; a third unit, new to the site, gets A's address from DHCP.
    const third = repo.upsert(
      camera({ ...tapo, identity: c, endpointRef: `urn:${c}`, ...at('192.168.1.20') }),
      T2,
    );
    expect(third.id).not.toBe(first.id);
    expect(repo.list()).toHaveLength(3);
    expect(repo.get(first.id)).toMatchObject({
      identity: a,
      address: '192.168.1.20',
      lastSeen: T1.toISOString(),
    });

    // A comes back elsewhere and finds its own row.
    expect(
      repo.upsert(camera({ ...tapo, identity: a, endpointRef: `urn:${a}`, ...at('192.168.1.22') }), T3).id,
    ).toBe(first.id);
    expect(repo.list()).toHaveLength(3);
    expect(repo.get(first.id)).toMatchObject({
      identity: a,
      address: '192.168.1.22',
      firstSeen: T1.toISOString(),
    });
    expect(repo.get(third.id)).toMatchObject({ identity: c, address: '192.168.1.20' });
  });

  it('keeps two Tapo units found only by scan, sharing a serial, as two rows', () => {
    const { repo } = store();
    const tapo = { manufacturer: 'tp-link', model: 'Tapo C200', serial: '00000000', source: 'scan' as const };
    for (const ip of ['192.168.1.20', '192.168.1.21']) {
      repo.upsert(
        camera({
          ...tapo,
          identity: cameraIdentity({ ...tapo, address: `${ip}:2020` }),
          address: ip,
          onvifUrl: `http://${ip}:2020/onvif/device_service`,
        }),
        T1,
      );
    }
    expect(
      repo
        .list()
        .map((r) => r.address)
        .sort(),
    ).toEqual(['192.168.1.20', '192.168.1.21']);
  });

  it('gives stable, unique ids: vendor and identity tail, then -2, -3 on collision', () => {
    const { repo } = store();
    const at = (ip: string) => ({
      address: ip,
      onvifUrl: `http://${ip}/onvif/device_service`,
      serial: `SN-${ip}`,
    });
    const one = repo.upsert(
      camera({ identity: 'uuid:11111111-2222-3333-4444-000000abc123', ...at('10.0.0.1') }),
      T1,
    );
    const two = repo.upsert(
      camera({ identity: 'uuid:99999999-8888-7777-6666-555555abc123', ...at('10.0.0.2') }),
      T1,
    );
    const three = repo.upsert(
      camera({ identity: 'uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeabc123', ...at('10.0.0.3') }),
      T1,
    );
    expect([one.id, two.id, three.id]).toEqual([
      'hikvision-abc123',
      'hikvision-abc123-2',
      'hikvision-abc123-3',
    ]);
    // Seen again, in another order: the ids do not move.
    expect(
      repo.upsert(camera({ identity: 'uuid:99999999-8888-7777-6666-555555abc123', ...at('10.0.0.2') }), T2)
        .id,
    ).toBe('hikvision-abc123-2');
    expect(
      repo.upsert(camera({ identity: 'uuid:11111111-2222-3333-4444-000000abc123', ...at('10.0.0.9') }), T2)
        .id,
    ).toBe('hikvision-abc123');
    expect(repo.list().map((c) => c.id)).toEqual([
      'hikvision-abc123',
      'hikvision-abc123-2',
      'hikvision-abc123-3',
    ]);
  });

  it('uses the id given for a manual camera', () => {
    const { repo } = store();
    const c = repo.upsert(
      camera({ id: 'gate-1', identity: 'addr:192.168.1.64:80', source: 'manual', serial: null }),
      T1,
    );
    expect(c.id).toBe('gate-1');
    expect(repo.get('gate-1')?.source).toBe('manual');
  });

  it('keeps every field across close and reopen', () => {
    const { db, repo, path } = store();
    const saved = repo.upsert(
      camera({
        identity: uuidA,
        endpointRef: 'urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2',
        auth: 'http-digest',
        clockSkewSeconds: -3600.5,
        profiles: [
          {
            token: 'Profile_1',
            name: 'mainStream',
            encoding: 'H264',
            width: 1920,
            height: 1080,
            fps: 25,
            bitrateKbps: 4096,
            streamUri: 'rtsp://192.168.1.64:554/Streaming/Channels/101',
          },
          {
            token: 'Profile_2',
            name: 'subStream',
            encoding: null,
            width: null,
            height: null,
            fps: null,
            bitrateKbps: null,
            streamUri: null,
          },
        ],
        snapshotUri: 'http://192.168.1.64/onvif-http/snapshot?Profile_1',
        lastError: 'stream-uri: NotAuthorized',
      }),
      T1,
    );
    db.close();
    const reopened = openStore(path);
    open.push(reopened);
    expect(new InventoryRepo(reopened).list()).toEqual([saved]);
  });
});

describe('InventoryRepo.record: a camera keeps its row and its profiles', () => {
  const mac = '44:19:b6:be:90:01';
  const main = {
    token: 'Profile_1',
    name: 'mainStream',
    encoding: 'H264',
    width: 1280,
    height: 720,
    fps: 15,
    bitrateKbps: 2048,
  };
  const scanned = (ip: string, over: Partial<InventoryUpdate> = {}) => {
    const info = { manufacturer: 'HIKVISION', serial: 'DS-2CD2012-I0001', mac };
    return camera({
      ...info,
      source: 'scan',
      identity: cameraIdentity({ ...info, address: `${ip}:80` }),
      address: ip,
      onvifUrl: `http://${ip}/onvif/device_service`,
      profiles: [{ ...main, streamUri: `rtsp://${ip}:554/Streaming/Channels/101` }],
      ...over,
    });
  };

  it('finds a scanned camera moved by DHCP by its MAC: same id, new address, one row', () => {
    const { repo } = store();
    const first = repo.record(scanned('192.168.1.64'), { now: T1 });
    expect(first.identity).toBe(`hw:${mac}/hikvision/DS-2CD2012-I0001`);
    const moved = repo.record(scanned('192.168.1.77'), { now: T2 });
    expect(moved).toMatchObject({ id: first.id, address: '192.168.1.77', firstSeen: T1.toISOString() });
    expect(repo.list()).toHaveLength(1);
    // Read at the new address, failed before the device information: the MAC alone still finds it.
    const failed = repo.record(
      scanned('192.168.1.90', {
        identity: cameraIdentity({ mac, address: '192.168.1.90:80' }),
        manufacturer: null,
        serial: null,
        profiles: [],
        lastError: 'auth: the device requires credentials',
      }),
      { now: T3 },
    );
    expect(failed).toMatchObject({
      id: first.id,
      identity: first.identity,
      address: '192.168.1.90',
      manufacturer: 'HIKVISION',
      staleSince: T3.toISOString(),
      lastError: 'auth: the device requires credentials',
    });
    // Its last good URI follows it to the address it answered at.
    expect(failed.profiles[0]?.streamUri).toBe('rtsp://192.168.1.90:554/Streaming/Channels/101');
    expect(repo.list()).toHaveLength(1);
  });

  it('without a MAC, the old rule: a scanned camera at a new address is a new row', () => {
    const { repo } = store();
    const noMac = (ip: string) =>
      scanned(ip, {
        mac: null,
        identity: cameraIdentity({ serial: 'DS-2CD2012-I0001', address: `${ip}:80` }),
      });
    const first = repo.record(noMac('192.168.1.64'), { now: T1 });
    expect(repo.record(noMac('192.168.1.77'), { now: T2 }).id).not.toBe(first.id);
  });

  it('never merges two UUID devices that report one MAC', () => {
    const { repo } = store();
    const a = repo.record(scanned('192.168.1.64', { identity: uuidOfTest(1) }), { now: T1 });
    const b = repo.record(scanned('192.168.1.65', { identity: uuidOfTest(2) }), { now: T1 });
    expect(b.id).not.toBe(a.id);
  });

  it('keeps the last good profiles through a failed read, stale since it, across a reopen', () => {
    const { db, repo, path } = store();
    const good = repo.record(scanned('192.168.1.64'), { now: T1 });
    repo.record(scanned('192.168.1.64', { profiles: [], lastError: 'profiles: timed out after 4000 ms' }), {
      now: T2,
    });
    repo.record(scanned('192.168.1.64', { profiles: [], lastError: 'profiles: SOAP fault' }), { now: T3 });
    db.close();
    const reopened = openStore(path);
    open.push(reopened);
    const again = new InventoryRepo(reopened);
    expect(again.get(good.id)).toMatchObject({
      profiles: good.profiles,
      staleSince: T2.toISOString(),
      lastError: 'profiles: SOAP fault',
      lastSeen: T3.toISOString(),
    });
    again.record(scanned('192.168.1.64'), { now: T3 });
    expect(again.get(good.id)).toMatchObject({ staleSince: null, lastError: null });
  });

  it('finds a camera known only by its address at its ONVIF URL, unless an id is given', () => {
    const { repo } = store();
    const good = repo.record(scanned('192.168.1.64'), { now: T1 });
    const byAddress = { identity: 'addr:192.168.1.64:80', mac: null, serial: null, manufacturer: null };
    // A read that failed before anything identified the device (a timeout after the scan's hit).
    const failed = repo.record(
      scanned('192.168.1.64', { ...byAddress, profiles: [], lastError: 'connect: refused' }),
      {
        now: T2,
      },
    );
    expect([failed.id, failed.staleSince, repo.list().length]).toEqual([good.id, T2.toISOString(), 1]);
    // A manual entry at that URL keeps its own configured id.
    expect(
      repo.record(scanned('192.168.1.64', { ...byAddress, source: 'manual' }), { id: 'gate-1' }).id,
    ).toBe('gate-1');
  });

  it('keeps a manual entry on its configured id', () => {
    const { repo } = store();
    repo.record(scanned('192.168.1.64', { source: 'manual' }), { id: 'gate-1', now: T1 });
    const again = repo.record(scanned('192.168.1.64', { source: 'manual' }), { id: 'gate-1', now: T2 });
    expect(again.id).toBe('gate-1');
    expect(repo.list().map((c) => c.id)).toEqual(['gate-1']);
  });
});

function uuidOfTest(n: number): string {
  return `uuid:3fa1fe68-b915-4053-a3e1-c0c9e3a1b20${n}`;
}
