// The merge of one discovery read with what the inventory knew: a failed or partial read never
// replaces good profiles (issue 12 item 2).
import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../src/core/camera.ts';
import type { InventoryCamera, InventoryRead } from '../../src/core/inventory.ts';
import { isCompleteRead, mergeRead } from '../../src/core/inventory-merge.ts';

const T1 = '2026-12-01T08:00:00.000Z';
const T2 = '2026-12-02T09:00:00.000Z';
const T3 = '2026-12-03T10:00:00.000Z';

const profile = (
  token: string,
  streamUri: string | null,
  encoding: string | null = 'H264',
): MediaProfile => ({
  token,
  name: token,
  encoding,
  width: 1280,
  height: 720,
  fps: 15,
  bitrateKbps: 2048,
  streamUri,
});

const GOOD = [
  profile('Profile_1', 'rtsp://192.168.1.64:554/Streaming/Channels/101'),
  profile('Profile_2', 'rtsp://192.168.1.64:554/Streaming/Channels/102'),
];

function read(over: Partial<InventoryRead> = {}): InventoryRead {
  return {
    identity: 'hw:44:19:b6:00:00:01/hikvision/DS-2CD2012-I0001',
    source: 'scan',
    endpointRef: null,
    address: '192.168.1.64',
    onvifUrl: 'http://192.168.1.64/onvif/device_service',
    manufacturer: 'HIKVISION',
    model: 'DS-2CD2012-I',
    firmware: 'V5.2.0',
    serial: 'DS-2CD2012-I0001',
    mac: '44:19:b6:00:00:01',
    auth: 'ws-security',
    clockSkewSeconds: 1,
    profiles: GOOD,
    snapshotUri: 'http://192.168.1.64/onvif/snapshot',
    lastError: null,
    ...over,
  };
}

const known = (over: Partial<InventoryCamera> = {}): InventoryCamera => ({
  ...read(),
  id: 'hikvision-000001',
  staleSince: null,
  firstSeen: T1,
  lastSeen: T1,
  ...over,
});

/** What a read that failed at `step` reports: nothing it did not reach. */
const failed = (step: string, over: Partial<InventoryRead> = {}): InventoryRead =>
  read({
    profiles: [],
    snapshotUri: null,
    lastError: `${step}: timed out after 4000 ms`,
    ...(step === 'auth' ? { manufacturer: null, model: null, firmware: null, serial: null, auth: null } : {}),
    ...over,
  });

describe('mergeRead', () => {
  it('takes a complete read as it is, for a new camera and for a known one', () => {
    expect(mergeRead(null, read(), T2)).toEqual({ ...read(), staleSince: null });
    expect(mergeRead(known(), read({ firmware: 'V5.3.0' }), T2)).toEqual({
      ...read({ firmware: 'V5.3.0' }),
      staleSince: null,
    });
  });

  it.each(['profiles', 'stream-uri', 'services', 'auth', 'connect'])(
    'keeps the last good profiles through a read that failed at %s, stale since the failure',
    (step) => {
      const m = mergeRead(known(), failed(step), T2);
      expect(m.profiles).toEqual(GOOD);
      expect(m.snapshotUri).toBe(read().snapshotUri);
      expect(m.staleSince).toBe(T2);
      expect(m.lastError).toBe(`${step}: timed out after 4000 ms`);
      // What the failed read did not learn comes from the last good one, identity included.
      expect(m).toMatchObject({
        identity: known().identity,
        manufacturer: 'HIKVISION',
        serial: 'DS-2CD2012-I0001',
        auth: 'ws-security',
      });
      expect(isCompleteRead(failed(step))).toBe(false);
    },
  );

  it('keeps the time of the first failure through later ones, and clears it at the next complete read', () => {
    const first = mergeRead(known(), failed('profiles'), T2);
    const second = mergeRead(known({ ...first, staleSince: first.staleSince }), failed('stream-uri'), T3);
    expect(second.staleSince).toBe(T2);
    expect(second.lastError).toMatch(/^stream-uri: /);
    expect(second.profiles).toEqual(GOOD);
    const healed = mergeRead(known({ ...second }), read(), T3);
    expect([healed.staleSince, healed.lastError]).toEqual([null, null]);
  });

  it('treats a read that gave profiles but no stream URI as failed', () => {
    const noUris = read({ profiles: GOOD.map((p) => ({ ...p, streamUri: null })), lastError: null });
    expect(isCompleteRead(noUris)).toBe(false);
    const m = mergeRead(known(), noUris, T2);
    expect([m.profiles, m.staleSince, m.lastError]).toEqual([GOOD, T2, 'no usable profile']);
  });

  it('keeps the last URI of a profile whose URI this read did not get (partial), marked stale', () => {
    const partial = read({ profiles: [GOOD[0]!, { ...GOOD[1]!, streamUri: null }], snapshotUri: null });
    expect(isCompleteRead(partial)).toBe(true);
    const m = mergeRead(known(), partial, T2);
    expect(m.profiles).toEqual(GOOD);
    expect(m.snapshotUri).toBe(read().snapshotUri);
    expect(m.staleSince).toBe(T2);
    expect(m.lastError).toBe('stream-uri: not read for Profile_2; last good kept');
  });

  it('keeps a snapshot URI read on first use through a complete read that did not ask for it', () => {
    // Discovery asks it only where it costs no round trip (onvif/probe-device.ts).
    const m = mergeRead(known(), read({ snapshotUri: null }), T2);
    expect(m.snapshotUri).toBe(read().snapshotUri);
    expect([m.staleSince, m.lastError]).toEqual([null, null]);
  });

  it('drops a profile the camera no longer lists: that is news, not a failure', () => {
    const m = mergeRead(known(), read({ profiles: [GOOD[0]!] }), T2);
    expect(m.profiles).toEqual([GOOD[0]]);
    expect(m.staleSince).toBeNull();
  });

  it('points kept URIs at the address a moved camera answered at, when its read there failed', () => {
    const moved = failed('profiles', {
      address: '192.168.1.77',
      onvifUrl: 'http://192.168.1.77/onvif/device_service',
    });
    const m = mergeRead(known(), moved, T2);
    expect(m.address).toBe('192.168.1.77');
    expect(m.profiles.map((p) => p.streamUri)).toEqual([
      'rtsp://192.168.1.77:554/Streaming/Channels/101',
      'rtsp://192.168.1.77:554/Streaming/Channels/102',
    ]);
    expect(m.snapshotUri).toBe('http://192.168.1.77/onvif/snapshot');
    // A URI on another host (an NVR's channel, a wrong host the camera reports) is left alone.
    const other = known({ profiles: [profile('ch1', 'rtsp://10.0.0.9:554/ch1')] });
    expect(mergeRead(other, moved, T2).profiles[0]!.streamUri).toBe('rtsp://10.0.0.9:554/ch1');
  });

  it('has nothing to keep for a camera that never gave a usable profile', () => {
    const m = mergeRead(known({ profiles: [] }), failed('profiles'), T2);
    expect([m.profiles, m.staleSince]).toEqual([[], null]);
    expect(m.lastError).toBe('profiles: timed out after 4000 ms');
  });
});
