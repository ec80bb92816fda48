// What the inventory keeps of one discovery read, given what it knew (issue 12 item 2): a failed or
// partial read never replaces good profiles. The last good ones stay, marked stale since the first
// failure, so the relay keeps pulling the camera; the next complete read clears the mark.
import type { MediaProfile } from './camera.ts';
import type { InventoryCamera, InventoryRead } from './inventory.ts';

export type MergedRead = InventoryRead & { staleSince: string | null };

const hasStream = (profiles: MediaProfile[]) => profiles.some((p) => p.encoding !== null && p.streamUri);

/** A read is complete when it failed at no step and gave at least one stream URI. */
export function isCompleteRead(read: InventoryRead): boolean {
  return read.lastError === null && hasStream(read.profiles);
}

/** A kept stream URI follows the camera to the address it answered at (a DHCP move with a failed read). */
function rehost(uri: string | null, from: string | null, to: string | null): string | null {
  if (!uri || !from || !to || from === to) return uri;
  try {
    const u = new URL(uri);
    if (u.hostname !== from) return uri;
    u.hostname = to;
    return u.toString();
  } catch {
    return uri;
  }
}

export function mergeRead(prior: InventoryCamera | null, read: InventoryRead, at: string): MergedRead {
  if (!prior || !hasStream(prior.profiles)) return { ...read, staleSince: null };
  const since = prior.staleSince ?? at;
  const move = (uri: string | null) => rehost(uri, prior.address, read.address);

  if (!isCompleteRead(read)) {
    // The read failed: everything it did not learn comes from the last good read.
    return {
      ...read,
      identity: prior.identity,
      endpointRef: read.endpointRef ?? prior.endpointRef,
      manufacturer: read.manufacturer ?? prior.manufacturer,
      model: read.model ?? prior.model,
      firmware: read.firmware ?? prior.firmware,
      serial: read.serial ?? prior.serial,
      mac: read.mac ?? prior.mac,
      auth: read.auth ?? prior.auth,
      clockSkewSeconds: read.clockSkewSeconds ?? prior.clockSkewSeconds,
      profiles: prior.profiles.map((p) => ({ ...p, streamUri: move(p.streamUri) })),
      snapshotUri: move(prior.snapshotUri),
      lastError: read.lastError ?? 'no usable profile',
      staleSince: since,
    };
  }

  // Partial: a profile the camera still lists but whose URI this read did not get keeps its last one.
  const kept: string[] = [];
  const profiles = read.profiles.map((p) => {
    const before = prior.profiles.find((q) => q.token === p.token);
    if (p.streamUri || p.encoding === null || !before?.streamUri) return p;
    kept.push(p.token);
    return { ...p, streamUri: move(before.streamUri) };
  });
  return {
    ...read,
    profiles,
    snapshotUri: read.snapshotUri ?? move(prior.snapshotUri),
    lastError: kept.length > 0 ? `stream-uri: not read for ${kept.join(', ')}; last good kept` : null,
    staleSince: kept.length > 0 ? since : null,
  };
}
