// Bus events turned into `events` messages. Every message has one envelope (type, at, session,
// seq, historical) and its own data; docs/telemetry/event.schema.json has one branch per type.
import type { GatewayEvents } from '../core/events.ts';

export type EventType =
  | 'camera.up'
  | 'camera.degraded'
  | 'camera.down'
  | 'destination.up'
  | 'destination.down'
  | 'config.reloaded'
  | 'clock.step'
  | 'camera.found'
  | 'camera.moved'
  | 'camera.lost'
  | 'camera.auth-failed'
  | 'disk.alarm'
  | 'disk.alarm.cleared'
  | 'part.failing'
  | 'part.failing.cleared'
  | 'outage.start'
  | 'outage.end'
  | 'availability.report'
  | 'heartbeats.missed';

export interface TelemetryEvent {
  type: EventType;
  at: string;
  data: Record<string, unknown>;
}

export function cameraEvent(e: GatewayEvents['camera.state']): TelemetryEvent {
  const type =
    e.state === 'online' ? 'camera.up' : e.state === 'degraded' ? 'camera.degraded' : 'camera.down';
  return { type, at: e.at, data: { cameraId: e.cameraId, state: e.state, previous: e.previous } };
}

export function destinationEvent(e: GatewayEvents['destination.state']): TelemetryEvent {
  return {
    type: e.up ? 'destination.up' : 'destination.down',
    at: e.at,
    data: { cameraId: e.cameraId, destinationId: e.destinationId, reason: e.reason },
  };
}

export function discoveryEvent(e: GatewayEvents['discovery.camera']): TelemetryEvent {
  const data: Record<string, unknown> = { cameraId: e.cameraId, address: e.address };
  if (e.change === 'moved') data.previousAddress = e.previousAddress ?? null;
  return { type: `camera.${e.change}`, at: e.at, data };
}

export function authEvent(e: GatewayEvents['camera.auth']): TelemetryEvent {
  return {
    type: 'camera.auth-failed',
    at: e.at,
    data: { cameraId: e.cameraId, address: e.address, via: e.via, retryAt: e.retryAt },
  };
}

export function failingEvent(e: GatewayEvents['part.failing']): TelemetryEvent {
  return {
    type: e.cleared ? 'part.failing.cleared' : 'part.failing',
    at: e.at,
    data: {
      cameraId: e.cameraId,
      part: e.part,
      destinationId: e.destinationId,
      failures: e.failures,
      reason: e.reason,
    },
  };
}

export function diskEvent(e: GatewayEvents['disk.alarm']): TelemetryEvent {
  return {
    type: e.cleared ? 'disk.alarm.cleared' : 'disk.alarm',
    at: e.at,
    data: { path: e.path, freeBytes: e.freeBytes, message: e.message },
  };
}

/** The wire form: `historical` says it was held in the outbox while the broker was unreachable. */
export function eventMessage(
  e: TelemetryEvent,
  session: number,
  seq: number,
  historical: boolean,
): Record<string, unknown> {
  return { type: e.type, seq, session, at: e.at, historical, data: e.data };
}

export function outageEvent(e: GatewayEvents['outage']): TelemetryEvent {
  return {
    type: e.endAt === null ? 'outage.start' : 'outage.end',
    at: e.at,
    data: {
      cameraId: e.cameraId,
      destinationId: e.destinationId,
      cause: e.cause,
      startAt: e.startAt,
      endAt: e.endAt,
    },
  };
}
