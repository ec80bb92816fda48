// RTSPS and RTMPS platforms against real servers: GStreamer's RTSP server with a certificate the
// test makes, and nginx-rtmp behind stunnel with the same one. Trusted through each destination's
// caFile, frames arrive (ffprobe of what the servers recorded); without it (verification is on by
// default) a self-signed certificate keeps the destination off with an error naming it, and
// nothing reaches the server; an RTSPS server down at the start is held out until it verifies. A
// restart and a black hole of each server are seen and recovered.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import {
  freePort,
  makeCertificate,
  RtspIngest,
  startRtmpsIngest,
  startRtspIngest,
  type Ingest,
  type RtmpsIngest,
} from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let rtsps: RtspIngest;
let rtmps: RtmpsIngest;
/** An RTSPS server that is down when the gateway starts: its port is known, it starts later. */
let late: RtspIngest;
let dir: string;
let daemon: Daemon;

const dest = (s: GatewayStatus, id: string) => s.streams[0]?.destinations.find((d) => d.id === id);
const stateOf = async (id: string) => dest(await daemon.status(), id)?.state;

async function growing(ingest: Ingest, stream: string): Promise<void> {
  const before = await ingest.framesReceived(stream);
  await waitFor(
    async () => (await ingest.framesReceived(stream)) > before + 15,
    `${ingest.kind} ${stream} frames to grow`,
    40_000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egw-tls-'));
  const cert = makeCertificate(dir);
  [site, rtsps, rtmps] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'hikvision' }] }),
    startRtspIngest({ tls: cert }),
    // A black-holed publisher session would hold the stream name for a minute or more.
    startRtmpsIngest(cert, { dropIdlePublisherSeconds: 10 }),
  ]);
  late = new RtspIngest(undefined, cert);
  late.port = await freePort();
  const untrusted = (i: Ingest) => i.urlTemplate.replace('{cameraId}', 'untrusted-{cameraId}');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: TLS platforms }',
      'cameras:',
      `  - { id: cam-a, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      `  - { id: rtsps-trusted, url: "${rtsps.urlTemplate}", caFile: ${cert.cert} }`,
      `  - { id: rtmps-trusted, url: "${rtmps.urlTemplate}", caFile: ${cert.cert} }`,
      `  - { id: rtsps-untrusted, url: "${untrusted(rtsps)}" }`,
      `  - { id: rtmps-untrusted, url: "${untrusted(rtmps)}" }`,
      `  - { id: rtsps-late, url: "${late.urlTemplate}", caFile: ${cert.cert} }`,
      `relay: { statusSocket: ${join(dir, 's.sock')}, stallSeconds: 4, startGraceSeconds: 15, backoffSeconds: [0.5, 1, 2], stopTimeoutSeconds: 2 }`,
      `recording: { dir: ${join(dir, 'spool')}, segmentSeconds: 2, minFreeMb: 1 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, join(dir, 's.sock'));
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtsps?.stop(), rtmps?.stop(), late?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS destinations', () => {
  it('delivers to RTSPS and RTMPS servers whose certificate verifies against the caFile', async () => {
    for (const id of ['rtsps-trusted', 'rtmps-trusted'])
      await waitFor(async () => (await stateOf(id)) === 'live', `${id} live`, 60_000);
    const main = site.cameras[0]!.profiles.find((p) => p.mount === 'main')!;
    for (const ingest of [rtsps, rtmps]) {
      await growing(ingest, 'cam-a');
      const probe = await ingest.probe('cam-a');
      expect([probe.codec, probe.width, probe.height], ingest.kind).toEqual([
        'h264',
        main.width,
        main.height,
      ]);
    }
  }, 120_000);

  it('refuses a self-signed certificate without the caFile, naming the destination, and sends nothing', async () => {
    const s = await daemon.status();
    for (const id of ['rtsps-untrusted', 'rtmps-untrusted']) {
      const d = dest(s, id)!;
      expect(d.state, id).toBe('backing-off');
      expect(d.lastError, id).toMatch(new RegExp(`TLS certificate of destination ${id} failed verification`));
      expect(d.lastError, id).toMatch(/self[- ]signed/i);
      expect(daemon.log()).toMatch(new RegExp(`"destinationId":"${id}"[^\\n]*its TLS certificate failed`));
    }
    expect(rtsps.files('untrusted-cam-a')).toEqual([]);
    expect(rtmps.files('untrusted-cam-a')).toEqual([]);
  }, 30_000);

  it('holds an RTSPS destination whose server did not answer the check, and takes it in once it verifies', async () => {
    const held = dest(await daemon.status(), 'rtsps-late')!;
    expect(held.state).toBe('backing-off');
    expect(held.lastError).toMatch(/TLS certificate of destination rtsps-late not verified yet/);
    await late.restart();
    await waitFor(async () => (await stateOf('rtsps-late')) === 'live', 'rtsps-late live', 90_000);
    await growing(late, 'cam-a');
  }, 150_000);

  for (const which of ['rtsps', 'rtmps'] as const) {
    it(`sees the ${which} server restarted, and delivers to it again`, async () => {
      const ingest = which === 'rtsps' ? rtsps : rtmps;
      const id = `${which}-trusted`;
      await waitFor(async () => (await stateOf(id)) === 'live', `${id} live`, 60_000);
      await ingest.kill();
      await waitFor(async () => (await stateOf(id)) !== 'live', `${id} seen down`, 30_000);
      await ingest.restart();
      await waitFor(async () => (await stateOf(id)) === 'live', `${id} live again`, 60_000);
      await growing(ingest, 'cam-a');
    }, 150_000);

    it.skipIf(!canBlackhole())(
      `sees the ${which} server black-holed, and delivers to it again`,
      async () => {
        const ingest = which === 'rtsps' ? rtsps : rtmps;
        const id = `${which}-trusted`;
        await waitFor(async () => (await stateOf(id)) === 'live', `${id} live`, 60_000);
        const restore = blackholePort(ingest.port);
        try {
          await waitFor(async () => (await stateOf(id)) !== 'live', `${id} seen down`, 40_000);
        } finally {
          restore();
        }
        await waitFor(async () => (await stateOf(id)) === 'live', `${id} live again`, 60_000);
        await growing(ingest, 'cam-a');
      },
      150_000,
    );
  }
});
