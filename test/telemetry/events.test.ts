// Bus events to MQTT: each gateway event becomes a schema-valid `events` message, a camera's
// state change rewrites its retained status, and the daily availability report is sent and kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvailabilityStore } from '../../src/telemetry/availability-store.ts';
import { waitFor } from '../support/wait.ts';
import { Broker } from './broker.ts';
import { harness, SECRETS, SITE, stream, type Harness } from './harness.ts';
import { Subscriber } from './subscriber.ts';

let broker: Broker;
let h: Harness;
let sub: Subscriber;

interface Event {
  type: string;
  historical: boolean;
  data: Record<string, unknown>;
}

beforeAll(async () => {
  broker = await Broker.create();
  await broker.start();
  h = harness(broker.url);
  h.streams.push(stream('cam-1', 'live', { national: 'live' }));
  sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, Object.values(SECRETS));
  await h.start();
  await waitFor(() => h.telemetry.connected, 'connected');
});

afterAll(async () => {
  await sub.close();
  await h.dispose();
  await broker.dispose();
});

// Bus events only: on a loaded machine a heartbeat can fall due before the first connect, and the
// 'heartbeats.missed' it then sends is not what these tests are about (connection.test.ts is).
const events = () =>
  sub
    .on('/events')
    .map((m) => m.json as Event)
    .filter((e) => e.type !== 'heartbeats.missed');

describe('events and camera status', () => {
  it('turns every bus event into an events message and rewrites the camera status', async () => {
    const at = new Date().toISOString();
    await waitFor(() => sub.last('/cameras/cam-1/status'), 'the first camera status');
    h.streams[0] = stream('cam-1', 'backing-off', { national: 'starting' });
    h.events.emit('destination.state', {
      cameraId: 'cam-1',
      destinationId: 'national',
      up: false,
      at,
      reason: 'camera down',
    });
    h.events.emit('camera.state', { cameraId: 'cam-1', state: 'offline', previous: 'online', at });
    h.events.emit('discovery.camera', { cameraId: 'cam-9', change: 'found', address: '192.168.1.9', at });
    h.events.emit('disk.alarm', {
      path: '/rec',
      freeBytes: 1,
      message: 'disk almost full',
      at,
      cleared: false,
    });
    h.events.emit('config.reloaded', {
      at,
      cameras: [],
      destinations: ['national'],
      sections: [],
      restartNeeded: [],
    });
    h.events.emit('clock.step', { deltaMs: 86_400_000, at, whileStopped: false });
    h.events.emit('outage', {
      cameraId: 'cam-1',
      destinationId: 'national',
      cause: 'uplink',
      startAt: at,
      endAt: null,
      at,
    });
    h.events.emit('outage', {
      cameraId: 'cam-1',
      destinationId: 'national',
      cause: 'uplink',
      startAt: at,
      endAt: at,
      at,
    });
    await waitFor(() => events().length >= 8, 'eight events');
    expect(events().map((e) => e.type)).toEqual([
      'destination.down',
      'camera.down',
      'camera.found',
      'disk.alarm',
      'config.reloaded',
      'clock.step',
      'outage.start',
      'outage.end',
    ]);
    expect(events().at(-1)!.data).toEqual({
      cameraId: 'cam-1',
      destinationId: 'national',
      cause: 'uplink',
      startAt: at,
      endAt: at,
    });
    expect(events().every((e) => !e.historical)).toBe(true);
    const status = await waitFor(() => {
      const s = sub.last('/cameras/cam-1/status')?.json as { state: string; since: string } | undefined;
      return s?.state === 'offline' ? s : null;
    }, 'the retained status to say offline');
    expect(status.since).toBe(at);
    expect(sub.problems).toEqual([]);
  });

  it('sends the daily availability report and keeps it in SQLite', async () => {
    const now = new Date();
    h.telemetry.availabilityReport(now);
    const report = await waitFor(() => events().find((e) => e.type === 'availability.report'), 'the report');
    expect(report.data).toMatchObject({
      cameraId: 'cam-1',
      destinations: [{ id: 'national', liveSeconds: 0, share: 0 }],
    });
    const kept = new AvailabilityStore(h.db).savedReports(now.toISOString().slice(0, 10));
    expect(kept.map((r) => r.cameraId)).toEqual(['cam-1']);
    expect(sub.problems).toEqual([]);
  });
});
