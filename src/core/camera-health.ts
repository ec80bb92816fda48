// A camera's overall health from the states of its ingest and destinations. Pure.
import type { CameraHealth } from './events.ts';

export type PartState = 'starting' | 'live' | 'stalled' | 'backing-off' | 'stopped';

export function cameraHealth(ingests: PartState[], destinations: PartState[]): CameraHealth {
  if (ingests.length === 0 || !ingests.every((s) => s === 'live')) return 'offline';
  return destinations.every((s) => s === 'live') ? 'online' : 'degraded';
}
