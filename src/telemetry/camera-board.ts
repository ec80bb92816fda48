// What each camera's retained status says, and since when. States come from the bus (the relay's
// verdict); figures (fps, bitrate, frame age) are read from the status at publish time.
import type { GatewayStatus } from '../core/status.ts';
import { cameraHealth } from '../core/camera-health.ts';
import type { CameraHealth } from '../core/events.ts';
import { cameraIds, cameraStatus, type CameraStatusPayload } from './status-payloads.ts';

export class CameraBoard {
  private readonly states = new Map<string, { state: CameraHealth; since: string }>();

  /** Records a change; false when the state is the one already held (nothing to publish). */
  set(cameraId: string, state: CameraHealth, at: string): boolean {
    if (this.states.get(cameraId)?.state === state) return false;
    this.states.set(cameraId, { state, since: at });
    return true;
  }

  ids(status: GatewayStatus): string[] {
    return [...new Set([...this.states.keys(), ...cameraIds(status)])].sort();
  }

  payload(cameraId: string, status: GatewayStatus, session: number, now = new Date()): CameraStatusPayload {
    let held = this.states.get(cameraId);
    if (!held) {
      // Not heard of on the bus yet: judge it from the relay's status, as the gateway would.
      const streams = status.streams.filter((s) => s.cameraId === cameraId);
      const state = cameraHealth(
        streams.map((s) => s.state),
        streams.flatMap((s) => s.destinations.map((d) => d.state)),
        status.unsent.filter((u) => u.cameraId === cameraId).length,
      );
      held = { state, since: now.toISOString() };
      this.states.set(cameraId, held);
    }
    return cameraStatus(cameraId, status.streams, held.state, held.since, session, now, status.unsent);
  }
}
