// Remote commands over a real broker: signed ones run and answer (on the MQTT 5 response topic
// with the correlation data), unauthorised and malformed ones get error replies and a log line,
// slow ones do not hold up heartbeats, and no secret ever appears in a reply.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toInventoryUpdate } from '../../src/core/device-report.ts';
import { probeDevice } from '../../src/onvif/probe-device.ts';
import { InventoryRepo } from '../../src/store/inventory.ts';
import { signedCommand, type CommandBody } from '../../src/telemetry/commands/envelope.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { waitFor } from '../support/wait.ts';
import { Broker } from './broker.ts';
import { harness, SECRETS, SITE, type Harness } from './harness.ts';
import { expectValid } from './schemas.ts';
import { Subscriber } from './subscriber.ts';

interface Reply {
  id: string | null;
  cmd: string;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.alloc(2000, 7),
  Buffer.from([0xff, 0xd9]),
]);
let broker: Broker;
let h: Harness;
let sub: Subscriber;
let http_: http.Server;
let silent: net.Server;
let site: SimSite;
const base = `edgegw/${SITE}`;

function listen(server: net.Server): Promise<number> {
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)),
  );
}

beforeAll(async () => {
  broker = await Broker.create();
  await broker.start();
  http_ = http.createServer((req, res) => {
    const body = req.url === '/big.jpg' ? Buffer.concat([JPEG, Buffer.alloc(600_000)]) : JPEG;
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
  });
  // Accepts connections and never answers: a camera hung mid-call.
  silent = net.createServer(() => undefined);
  const [httpPort, silentPort] = await Promise.all([listen(http_), listen(silent)]);
  h = harness(
    broker.url,
    {},
    {
      discovery: {
        callTimeoutSeconds: 2,
        interfaces: ['lo'],
        probeWindowSeconds: 0.3,
        username: 'admin',
        password: '${CAM_PASSWORD}',
      },
    },
  );
  const repo = new InventoryRepo(h.db);
  const cam = (id: string, onvif: string, snapshot: string | null) =>
    repo.upsert({
      id,
      identity: `addr:${id}`,
      source: 'discovery',
      endpointRef: null,
      address: '127.0.0.1',
      onvifUrl: onvif,
      manufacturer: 'Test',
      model: null,
      firmware: null,
      serial: null,
      mac: null,
      auth: null,
      clockSkewSeconds: null,
      profiles: [],
      snapshotUri: snapshot,
      lastError: null,
    });
  cam('snap-ok', 'http://127.0.0.1:1/onvif/device_service', `http://127.0.0.1:${httpPort}/snap.jpg`);
  cam('snap-big', 'http://127.0.0.1:1/onvif/device_service', `http://127.0.0.1:${httpPort}/big.jpg`);
  cam('hung', `http://127.0.0.1:${silentPort}/onvif/device_service`, null);
  // Three video profiles: a discovery read leaves its snapshot URI out (it would cost a fifth round).
  site = await startSite({
    cameras: [{ id: 'hik-3p', personality: 'hikvision', password: SECRETS.CAM_PASSWORD, rtsp: false }],
  });
  const sim = site.cameras[0]!;
  const read = await probeDevice(
    { onvifUrl: sim.onvifUrl, endpointRef: sim.endpointRef, source: 'discovery' },
    { credentials: { username: 'admin', password: SECRETS.CAM_PASSWORD }, timeoutMs: 5000, maxInFlight: 2 },
  );
  repo.record(toInventoryUpdate(read), { id: 'hik-3p' });
  sub = await Subscriber.connect(broker.url, `${base}/#`, Object.values(SECRETS));
  await sub.client.subscribeAsync('central/replies/#', { qos: 1 });
  await h.start();
  await waitFor(() => h.telemetry.connected, 'connected');
});

afterAll(async () => {
  await sub.close();
  await h.dispose();
  await broker.dispose();
  http_.close();
  silent.close();
  await site?.stop();
});

function body(cmd: string, args: unknown, over: Partial<CommandBody> = {}): CommandBody {
  return { id: randomUUID(), cmd, site: SITE, ts: Date.now(), nonce: randomUUID(), args, ...over };
}

/** Publishes a raw payload on cmd/{name} and waits for the reply with that correlation data. */
async function send(name: string, payload: string, opts: { responseTopic?: string } = {}): Promise<Reply> {
  const corr = Buffer.from(randomUUID());
  const topic = `${base}/cmd/${name}`;
  await sub.client.publishAsync(topic, payload, {
    qos: 1,
    properties: {
      correlationData: corr,
      ...(opts.responseTopic ? { responseTopic: opts.responseTopic } : {}),
    },
  });
  const m = await waitFor(
    () => sub.messages.find((x) => x.topic !== topic && x.correlationData?.equals(corr)),
    `the reply to ${name}`,
  );
  expectValid('command-reply', m.json);
  return { ...(m.json as Reply), topic: m.topic } as Reply & { topic: string };
}

function signed(b: CommandBody, secret = SECRETS.MQTT_COMMAND_SECRET): string {
  const text = signedCommand(secret, b);
  expectValid('command', JSON.parse(text));
  return text;
}

describe('remote commands', () => {
  it('answers config on the response topic, with every secret removed', async () => {
    const b = body('config', {});
    expectValid('command-body', b);
    const r = (await send('config', signed(b), { responseTopic: 'central/replies/1' })) as Reply & {
      topic: string;
    };
    expect(r.topic).toBe('central/replies/1');
    expect(r).toMatchObject({ id: b.id, cmd: 'config', ok: true });
    expect(r.result!.redacted).toEqual(
      expect.arrayContaining([
        'cameras[0].password',
        'destinations[0].password',
        'mqtt.password',
        'mqtt.commandSecret',
      ]),
    );
    const text = JSON.stringify(r);
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    expect(text).toContain(SITE);
  });

  it('restarts a relayed camera and says why it cannot restart an unknown one', async () => {
    expect(await send('restart', signed(body('restart', { cameraId: 'cam-1' })))).toMatchObject({ ok: true });
    const r = await send('restart', signed(body('restart', { cameraId: 'nope' })));
    expect(r.error?.code).toBe('unknown-camera');
  });

  it('returns a snapshot as base64, and refuses one above the size limit', async () => {
    const r = await send('snapshot', signed(body('snapshot', { cameraId: 'snap-ok' })));
    expect(r.ok).toBe(true);
    expect(Buffer.from(r.result!.base64 as string, 'base64').equals(JPEG)).toBe(true);
    const big = await send('snapshot', signed(body('snapshot', { cameraId: 'snap-big' })));
    expect(big.error?.code).toBe('too-large');
  });

  it('reads the snapshot URI discovery left out on first use, with one signed call, and keeps it', async () => {
    const sim = site.cameras[0]!;
    const repo = new InventoryRepo(h.db);
    expect(repo.get('hik-3p')).toMatchObject({ snapshotUri: null, lastError: null });
    const before = sim.requests().length;

    const r = await send('snapshot', signed(body('snapshot', { cameraId: 'hik-3p' })));
    expect(r.error).toBeUndefined();
    expect(r.result).toMatchObject({ cameraId: 'hik-3p', contentType: 'image/jpeg' });
    const image = Buffer.from(r.result!.base64 as string, 'base64');
    expect([image[0], image[1], image.at(-2), image.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    // The clock and the services unsigned, then one signed call on the camera's clock.
    const asked = sim.requests().slice(before);
    expect(asked.filter((q) => q.credentials).map((q) => q.action)).toEqual(['GetSnapshotUri']);
    expect(asked.map((q) => q.action)).toContain('GetSystemDateAndTime');
    expect(sim.failedLogins()).toBe(0);
    expect(repo.get('hik-3p')!.snapshotUri).toBe(sim.snapshotUrl);

    // Kept: the next snapshot asks the camera nothing over ONVIF.
    const after = sim.requests().length;
    expect((await send('snapshot', signed(body('snapshot', { cameraId: 'hik-3p' })))).ok).toBe(true);
    expect(sim.requests().length).toBe(after);
  });

  it('diagnoses a hung camera while heartbeats carry on', async () => {
    const before = sub.on('/heartbeat').length;
    const r = await send('diagnose', signed(body('diagnose', { cameraId: 'hung' })));
    // The camera never answers: the ladder fails at an ONVIF step after its timeout, and
    // heartbeats kept flowing meanwhile.
    expect(r.ok).toBe(true);
    expect(r.result!.verdict).toBe('fail');
    expect(sub.on('/heartbeat').length - before).toBeGreaterThan(2);
  });

  it('rediscovers', async () => {
    const r = await send('rediscover', signed(body('rediscover', {})));
    expect(r.ok).toBe(true);
    expect(r.result).toMatchObject({
      found: expect.any(Number) as number,
      appeared: expect.any(Array) as unknown[],
    });
  });

  it('refuses unauthorised commands, replying on the default topic, never where the sender asked', async () => {
    const cases: [string, string][] = [
      ['wrong secret', signed(body('restart', { cameraId: 'cam-1' }), 'not-the-secret-at-all')],
      ['stale', signed(body('restart', { cameraId: 'cam-1' }, { ts: Date.now() - 3_600_000 }))],
      ['other site', signed(body('restart', { cameraId: 'cam-1' }, { site: 'another-site' }))],
      ['other topic', signed(body('config', {}))],
      [
        'unsigned',
        JSON.stringify({ body: JSON.stringify(body('restart', { cameraId: 'cam-1' })), sig: '0'.repeat(64) }),
      ],
    ];
    for (const [what, payload] of cases) {
      const r = (await send('restart', payload, { responseTopic: 'central/replies/x' })) as Reply & {
        topic: string;
      };
      expect(r.error?.code, what).toBe('unauthorised');
      expect(r.id, what).toBeNull();
      expect(r.topic, what).toBe(`${base}/cmd/restart/reply`);
    }
    const once = signed(body('restart', { cameraId: 'cam-1' }));
    expect((await send('restart', once)).ok).toBe(true);
    expect((await send('restart', once)).error?.message).toMatch(/nonce/);
    expect(h.logs()).toContain('command refused');
  });

  it('answers malformed commands with errors and carries on', async () => {
    const cases: [string, string, string][] = [
      ['restart', 'not json', 'malformed'],
      ['restart', '{"body": 1}', 'malformed'],
      ['restart', JSON.stringify({ body: '{}', sig: 'x', extra: 1 }), 'malformed'],
      ['restart', signed({ ...body('restart', {}), cmd: 'restart' }), 'invalid'],
      ['restart', signed(body('restart', { cameraId: 'cam-1', force: true })), 'invalid'],
      ['restart', signed(body('restart', { cameraId: 42 })), 'invalid'],
      ['format-disk', signed(body('format-disk', {})), 'unknown-command'],
    ];
    for (const [name, payload, code] of cases) {
      const r = await send(name, payload);
      expect(r.error?.code, payload).toBe(code);
    }
    const seq = h.telemetry.seq;
    await waitFor(() => h.telemetry.seq > seq && sub.last('/heartbeat'), 'heartbeats after the bad commands');
    expect(sub.problems).toEqual([]);
    for (const s of Object.values(SECRETS)) expect(h.logs()).not.toContain(s);
  });
});
