// TLS with a test CA: the broker demands a client certificate; the gateway presents the one in
// its configuration and verifies the broker against the configured CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { Broker } from './broker.ts';
import { harness, SECRETS, SITE, type Harness } from './harness.ts';
import { Subscriber } from './subscriber.ts';

let pki: string;
let broker: Broker;
let h: Harness | null = null;

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });

beforeAll(async () => {
  pki = mkdtempSync(join(tmpdir(), 'pki-'));
  // A CA, a broker certificate for 127.0.0.1 and a client certificate, both signed by the CA.
  const sign = (name: string, ext: string) => {
    writeFileSync(join(pki, `${name}.ext`), `${ext}\n`);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  sign('server', 'subjectAltName=IP:127.0.0.1');
  sign('client', 'extendedKeyUsage=clientAuth');
  const p = (f: string) => join(pki, f);
  broker = await Broker.create({
    tls: { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key'), requireClientCert: true },
  });
  await broker.start();
});

afterAll(async () => {
  await h?.dispose();
  await broker.dispose();
  rmSync(pki, { recursive: true, force: true });
});

describe('telemetry over TLS', () => {
  it('connects with the configured CA and client certificate', async () => {
    const p = (f: string) => join(pki, f);
    h = harness(broker.url, { caFile: p('ca.crt'), certFile: p('client.crt'), keyFile: p('client.key') });
    const tlsOpts = {
      ca: readFileSync(p('ca.crt')),
      cert: readFileSync(p('client.crt')),
      key: readFileSync(p('client.key')),
    };
    const sub = await Subscriber.connect(broker.url, `edgegw/${SITE}/#`, Object.values(SECRETS), tlsOpts);
    await h.start();
    await waitFor(
      () => (sub.last(`${SITE}/status`)?.json as { online?: boolean } | undefined)?.online,
      'the birth over TLS',
    );
    await waitFor(() => sub.last('/heartbeat'), 'a heartbeat over TLS');
    expect(sub.problems).toEqual([]);
    await sub.close();
  });

  it('is refused by the broker without a client certificate', async () => {
    const client = connect(broker.url, {
      ca: readFileSync(join(pki, 'ca.crt')),
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const err = await new Promise<Error>((resolve) => {
      client.once('error', resolve);
      client.once('close', () => resolve(new Error('closed')));
    });
    expect(err).toBeInstanceOf(Error);
    expect(client.connected).toBe(false);
    client.end(true);
  });
});
