// The real daemon (`edge-gateway run`) with no cameras: its birth, the retained last will the
// broker publishes when the daemon is SIGKILLed (same session), a new session on the next
// start, and a clean offline on SIGTERM. No secret in any payload or log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, waitFor } from '../support/wait.ts';
import { Broker } from './broker.ts';
import { SECRETS } from './harness.ts';
import { Subscriber } from './subscriber.ts';

const BIN = fileURLToPath(new URL('../../bin/edge-gateway.js', import.meta.url));
const SITE = 'will-site';
let broker: Broker;
let dir: string;
let config: string;
let sub: Subscriber;
const procs: ChildProcess[] = [];
let logs = '';

interface Presence {
  online: boolean;
  session: number;
  reason: string | null;
}

beforeAll(async () => {
  broker = await Broker.create();
  await broker.start();
  dir = mkdtempSync(join(tmpdir(), 'will-'));
  config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `site: { id: ${SITE}, name: Will test }`,
      `recording: { dir: ${join(dir, 'rec')} }`,
      `store: { path: ${join(dir, 'gw.db')} }`,
      `relay: { statusSocket: ${join(dir, 'status.sock')} }`,
      `schedules: { rediscover: "off" }`,
      'mqtt:',
      `  url: ${broker.url}`,
      '  username: gw',
      '  password: ${MQTT_PASSWORD}',
      '  commandSecret: ${MQTT_COMMAND_SECRET}',
      '  heartbeatSeconds: 0.5',
      '  reconnectSeconds: [0.2]',
    ].join('\n') + '\n',
  );
  sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, Object.values(SECRETS));
});

afterAll(async () => {
  for (const p of procs) if (alive(p.pid)) p.kill('SIGKILL');
  await sub.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function daemon(): ChildProcess {
  const p = spawn(process.execPath, [BIN, 'run', '--config', config], {
    env: { ...process.env, ...SECRETS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stdout.on('data', (c: Buffer) => (logs += c.toString()));
  p.stderr.on('data', (c: Buffer) => (logs += c.toString()));
  procs.push(p);
  return p;
}

const presences = () => sub.on(`${SITE}/status`).map((m) => ({ ...(m.json as Presence), retain: m.retain }));

describe('presence of the real daemon', () => {
  it('leaves a retained offline will with its session when SIGKILLed, and starts a new session', async () => {
    const first = daemon();
    const birth = await waitFor(() => presences().find((p) => p.online), `the birth\n${logs}`, 30_000);
    await waitFor(() => sub.last('/heartbeat'), 'a heartbeat');
    first.kill('SIGKILL');
    const will = await waitFor(() => presences().find((p) => !p.online), 'the last will');
    expect(will).toMatchObject({ online: false, session: birth.session, reason: 'connection-lost' });

    // The broker keeps it for consumers that connect later.
    const late = await Subscriber.connect(broker.url, `edgegw/${SITE}/status`, []);
    await waitFor(() => late.messages.length > 0, 'the retained will');
    expect(late.messages[0]!.json).toMatchObject({ online: false, session: birth.session });
    await late.close();

    sub.clear();
    const second = daemon();
    const rebirth = await waitFor(
      () => presences().find((p) => p.online),
      `the second birth\n${logs}`,
      30_000,
    );
    expect(rebirth.session).toBe(birth.session + 1);
    second.kill('SIGTERM');
    const stopped = await waitFor(() => presences().find((p) => !p.online), 'the clean offline');
    expect(stopped).toMatchObject({ session: rebirth.session, reason: 'stopped' });
    await waitFor(() => second.exitCode !== null, 'the daemon to exit');

    expect(sub.problems).toEqual([]);
    for (const s of Object.values(SECRETS)) expect(logs).not.toContain(s);
  });
});
