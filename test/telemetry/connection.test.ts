// The connection under broker faults, against a real mosquitto: down at start, killed and
// restarted without its retained messages, black-holed (SIGSTOP) and resumed, and the outbox
// delivering in order, marked historical, what happened while the broker was away.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { Broker } from './broker.ts';
import { harness, SECRETS, SITE, stream, type Harness } from './harness.ts';
import { retained, Subscriber } from './subscriber.ts';

const secrets = Object.values(SECRETS);
let broker: Broker;
let h: Harness;
let sub: Subscriber | null = null;

interface Presence {
  online: boolean;
  session: number;
}
interface Event {
  type: string;
  seq: number;
  historical: boolean;
  data: Record<string, unknown>;
}

beforeAll(async () => {
  broker = await Broker.create();
});
afterAll(async () => {
  await broker.dispose();
});
afterEach(async () => {
  await sub?.close();
  sub = null;
  await h.dispose();
  broker.thaw();
  await broker.kill();
});

const presenceOf = (s: Subscriber) => s.last(`${SITE}/status`)?.json as Presence | undefined;

describe('telemetry connection', () => {
  it('starts at once with no broker, then comes online when the broker appears', async () => {
    h = harness(broker.url);
    h.streams.push(stream('cam-1', 'live', { national: 'live' }));
    await h.start();
    // start() has returned, and no broker exists yet: it did not wait for one.
    expect(h.telemetry.connected).toBe(false);
    await waitFor(() => h.telemetry.seq >= 3, 'heartbeats ticking while offline');

    await broker.start();
    sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, secrets);
    await waitFor(() => presenceOf(sub!)?.online === true, 'the birth');
    await waitFor(() => sub!.last('/heartbeat'), 'a heartbeat');
    const birth = presenceOf(sub)!;
    expect(birth.session).toBe(h.telemetry.session);
    const cam = await waitFor(() => sub!.last('/cameras/cam-1/status'), 'camera status');
    expect((cam.json as { state: string }).state).toBe('online');
    expect(sub.problems).toEqual([]);
  });

  it('re-asserts birth and every camera status after the broker restarts without persistence', async () => {
    await broker.start({ persistence: false });
    h = harness(broker.url);
    h.streams.push(
      stream('cam-1', 'live', { national: 'live' }),
      stream('cam-2', 'live', { national: 'stalled' }),
    );
    await h.start();
    await waitFor(() => h.telemetry.connected, 'connected');
    const first = await retained(broker.url, `edgegw/${SITE}/#`);
    expect(first.map((m) => m.topic).sort()).toEqual([
      `edgegw/${SITE}/cameras/cam-1/status`,
      `edgegw/${SITE}/cameras/cam-2/status`,
      `edgegw/${SITE}/status`,
    ]);

    await broker.kill();
    await waitFor(() => !h.telemetry.connected, 'the gateway to notice');
    await broker.start();
    // A fresh broker holds nothing: everything retained now was published again by the gateway.
    const again = await waitFor(async () => {
      const r = await retained(broker.url, `edgegw/${SITE}/#`);
      return r.length === 3 ? r : null;
    }, 'retained state re-asserted');
    const status = again.find((m) => m.topic.endsWith(`${SITE}/status`))!.json as Presence;
    expect(status).toMatchObject({ online: true, session: h.telemetry.session });
    const cam2 = again.find((m) => m.topic.includes('cam-2'))!.json as {
      state: string;
      destinations: { up: boolean }[];
    };
    expect(cam2.state).toBe('degraded');
    expect(cam2.destinations[0]!.up).toBe(false);
  });

  it('notices a black-holed broker by keep-alive and recovers when it answers again', async () => {
    await broker.start();
    h = harness(broker.url);
    await h.start();
    await waitFor(() => h.telemetry.connected, 'connected');
    // Subscribed before the freeze: its own connection survives it (keep-alive 60 s) and hears
    // everything the gateway sends after the thaw.
    sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, secrets);
    broker.freeze();
    await waitFor(() => !h.telemetry.connected, 'keep-alive to give up on the frozen broker');
    const seqAtLoss = h.telemetry.seq;
    await waitFor(() => h.telemetry.seq > seqAtLoss + 2, 'heartbeats ticking on while black-holed');
    sub.clear();
    broker.thaw();
    await waitFor(() => h.telemetry.connected, 'reconnected');
    await waitFor(() => presenceOf(sub!)?.online === true, 'the birth again');
    await waitFor(() => sub!.last('/heartbeat'), 'heartbeats again');
    const missed = await waitFor(
      () =>
        sub!
          .on('/events')
          .map((m) => m.json as Event)
          .find((e) => e.type === 'heartbeats.missed'),
      'the summary of missed heartbeats',
    );
    expect(missed.historical).toBe(false);
    expect(missed.data.count).toBeGreaterThan(0);
    // One message for the whole gap, not one per missed heartbeat.
    expect(sub.on('/events').filter((m) => (m.json as Event).type === 'heartbeats.missed')).toHaveLength(1);
    expect(sub.problems).toEqual([]);
  });

  it('keeps events from an outage in SQLite and sends them in order, marked historical', async () => {
    // The central subscriber keeps a persistent session on a broker that persists it, so it
    // misses nothing the gateway sends while it is itself reconnecting.
    await broker.start({ persistence: true });
    h = harness(broker.url);
    await h.start();
    sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, secrets, {
      clientId: 'central-test',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    await waitFor(() => h.telemetry.connected, 'connected');
    h.events.emit('config.reloaded', {
      at: new Date().toISOString(),
      cameras: [],
      destinations: [],
      sections: [],
      restartNeeded: [],
    });
    await waitFor(() => sub!.on('/events').length === 1, 'a live event');
    expect((sub.last('/events')!.json as Event).historical).toBe(false);

    await broker.stop();
    await waitFor(() => !h.telemetry.connected, 'disconnected');
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const cameraId = `cam-${i}`;
      h.events.emit('destination.state', {
        cameraId,
        destinationId: 'national',
        up: i % 2 === 0,
        at: new Date().toISOString(),
        reason: null,
      });
      sent.push(cameraId);
    }
    h.events.emit('disk.alarm', {
      path: '/rec',
      freeBytes: 1000,
      message: 'low',
      at: new Date().toISOString(),
      cleared: false,
    });
    const held = h.db.prepare('SELECT count(*) AS n FROM telemetry_outbox').get() as { n: number };
    expect(held.n).toBe(21);

    await broker.start();
    const outageEvents = () =>
      sub!
        .on('/events')
        .slice(1)
        .map((m) => m.json as Event)
        .filter((e) => e.type !== 'heartbeats.missed');
    await waitFor(() => outageEvents().length >= 21, 'the outbox delivered');
    const outage = outageEvents();
    expect(outage.map((e) => e.data.cameraId ?? e.type)).toEqual([...sent, 'disk.alarm']);
    expect(outage.every((e) => e.historical)).toBe(true);
    const seqs = outage.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await waitFor(
      () => (h.db.prepare('SELECT count(*) AS n FROM telemetry_outbox').get() as { n: number }).n === 0,
      'outbox emptied',
    );
    expect(sub.problems).toEqual([]);
    for (const s of secrets) expect(h.logs()).not.toContain(s);
  });
});
