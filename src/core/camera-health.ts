// A camera's overall health from the states of its ingest and destinations. Pure.
import type { CameraHealth } from './events.ts';
import type { SupervisedState } from './status.ts';

export type PartState = SupervisedState;

/**
 * `unsent`: destinations the camera is not sent to (relay-plan.ts): a camera that cannot reach
 * one of its destinations is degraded, even when nothing of it is pulled at all.
 */
export function cameraHealth(ingests: PartState[], destinations: PartState[], unsent = 0): CameraHealth {
  if (ingests.length === 0 && unsent > 0) return 'degraded';
  if (ingests.length === 0 || !ingests.every((s) => s === 'live')) return 'offline';
  return unsent === 0 && destinations.every((s) => s === 'live') ? 'online' : 'degraded';
}
