// A transcoding destination end to end: the one way an H.265-only camera reaches an RTMP platform
// on ffmpeg 5.1 ("enable transcode", as the codec-fit reason says). The real daemon pulls the
// simulated camera once; its tee feeds a loopback tap that the destination's own ffmpeg
// (tap-reader.ts) reads, encodes with x264 and publishes to a real nginx-rtmp.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import { startRtmpIngest, type RtmpIngest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { discoveryLines, fastRelayLines } from '../support/daemon-config.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let rtmp: RtmpIngest;
let dir: string;
let daemon: Daemon;

const stream = (s: GatewayStatus) => s.streams.find((x) => x.cameraId === 'yard');

beforeAll(async () => {
  [site, rtmp] = await Promise.all([
    startSite({ cameras: [{ id: 'yard', personality: 'hikvision', codec: 'h265', discoverable: false }] }),
    startRtmpIngest(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'egw-transcode-'));
  const socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: transcode, name: Transcode }',
      'cameras:',
      `  - { id: yard, onvif: "${site.cameras[0]!.onvifUrl}", username: admin, password: "\${CAM_PASSWORD}" }`,
      ...discoveryLines(site),
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}", transcode: { bitrateKbps: 400, width: 640, height: 360 } }`,
      ...fastRelayLines(socket),
      `recording: { dir: ${join(dir, 'rec')}, segmentSeconds: 2, minFreeMb: 50 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket, { CAM_PASSWORD: 'Secret-123' });
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a transcoding destination', () => {
  it('brings an H.265-only camera to RTMP as H.264 through its own ffmpeg on the tap, judged live', async () => {
    const s = await waitFor(
      async () => {
        const st = await daemon.status();
        const d = stream(st)?.destinations.find((x) => x.id === 'national');
        return d?.state === 'live' ? st : null;
      },
      `the transcoding destination live\n${daemon.log().slice(-3000)}`,
      120_000,
    );
    expect(s.unsent).toEqual([]);
    const d = stream(s)!.destinations.find((x) => x.id === 'national')!;
    expect(d.transcoding).toBe(true);
    // Its own process, not the camera's.
    expect(d.pid).not.toBeNull();
    expect(d.pid).not.toBe(stream(s)!.pid);
    await waitFor(async () => (await rtmp.framesReceived('yard')) > 30, 'frames at nginx-rtmp', 90_000);
    const probe = await rtmp.probe('yard');
    expect([probe.codec, probe.width, probe.height]).toEqual(['h264', 640, 360]);
  }, 240_000);

  it.skipIf(!canBlackhole())(
    'sees its own connection black-holed, restarts only its own ffmpeg, and publishes again',
    async () => {
      const national = async () =>
        stream(await daemon.status())?.destinations.find((x) => x.id === 'national');
      const before = await daemon.status();
      const cameraPid = stream(before)!.pid;
      const restore = blackholePort(rtmp.port);
      try {
        await waitFor(
          async () => (await national())?.state !== 'live',
          `the black hole seen\n${daemon.log().slice(-3000)}`,
          60_000,
        );
      } finally {
        restore();
      }
      await waitFor(async () => (await national())?.state === 'live', 'national live again', 90_000);
      const frames = await rtmp.framesReceived('yard');
      await waitFor(async () => (await rtmp.framesReceived('yard')) > frames + 30, 'frames again', 90_000);
      const after = await daemon.status();
      // The camera's pull and its recording went on: only the destination's process was restarted.
      expect(stream(after)!.pid).toBe(cameraPid);
      expect(stream(after)!.restartsLastHour).toBe(0);
      expect(daemon.log()).toMatch(/nothing acknowledged by the destination|reads nothing/);
    },
    240_000,
  );
});
