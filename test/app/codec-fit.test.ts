// Codec and destination fit (issue 12 item 5), end to end: the real daemon against simulated
// cameras (real ONVIF, real x264/x265 RTSP), a real nginx-rtmp ingest (classic FLV: no HEVC), a
// real RTSP ingest and a real broker. An H.265-only camera is not sent to RTMP, says why in
// `status` and over MQTT, and is never retried; a camera with an H.264 sub-stream is moved to it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import { startRtmpIngest, startRtspIngest, type Ingest, type RtmpIngest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { discoveryLines, fastRelayLines } from '../support/daemon-config.ts';
import { waitFor } from '../support/wait.ts';
import { Broker } from '../telemetry/broker.ts';
import { Subscriber } from '../telemetry/subscriber.ts';

let site: SimSite;
let rtmp: RtmpIngest;
let rtsp: Ingest;
let broker: Broker;
let sub: Subscriber;
let dir: string;
let socket: string;
let daemon: Daemon;

const PASSWORD = 'Secret-123';
const stream = (s: GatewayStatus, id: string) => s.streams.find((x) => x.cameraId === id);
const live = (s: GatewayStatus, id: string) => {
  const st = stream(s, id);
  return st?.state === 'live' && st.destinations.every((d) => d.state === 'live');
};

async function frames(ingest: Ingest, name: string, more: number, ms = 60_000): Promise<void> {
  const before = await ingest.framesReceived(name);
  await waitFor(
    async () => (await ingest.framesReceived(name)) > before + more,
    `${ingest.kind} ${name}: ${more} more frames\n${daemon.log().slice(-3000)}`,
    ms,
  );
}

/** What nginx-rtmp saw of a stream name: every publish, however short, is logged. */
const publishes = (name: string) =>
  readFileSync(join(rtmp.prefix, 'error.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('publish') && l.includes(`name='${name}'`)).length;

beforeAll(async () => {
  broker = await Broker.create();
  [site, rtmp, rtsp] = await Promise.all([
    startSite({
      cameras: [
        // Manual entries (below) give them their ids: the stream names at the ingests.
        { id: 'yard', personality: 'hikvision', codec: 'h265', discoverable: false },
        { id: 'gate', personality: 'hikvision', codec: 'h265-main', discoverable: false },
      ],
    }),
    startRtmpIngest(),
    startRtspIngest(),
    broker.start(),
  ]);
  sub = await Subscriber.connect(broker.url, 'edgegw/codec/#', [PASSWORD]);
  dir = mkdtempSync(join(tmpdir(), 'egw-codec-'));
  socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  const [yard, gate] = site.cameras;
  writeFileSync(
    config,
    [
      'site: { id: codec, name: Codec fit }',
      'cameras:',
      `  - { id: yard, onvif: "${yard!.onvifUrl}", username: admin, password: "\${CAM_PASSWORD}" }`,
      `  - { id: gate, onvif: "${gate!.onvifUrl}", username: admin, password: "\${CAM_PASSWORD}" }`,
      ...discoveryLines(site),
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      `  - { id: province, url: "${rtsp.urlTemplate}" }`,
      // Short steps: the old plan re-published the H.265 destination every 2 s, or sooner here.
      ...fastRelayLines(socket),
      `recording: { dir: ${join(dir, 'rec')}, segmentSeconds: 2, minFreeMb: 50 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      `mqtt: { url: "${broker.url}", heartbeatSeconds: 5 }`,
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket, { CAM_PASSWORD: PASSWORD });
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await sub?.close();
  await Promise.allSettled([site?.stop(), rtmp?.stop(), rtsp?.stop(), broker?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('codec and destination fit', () => {
  it('sends an H.265-only camera to RTSP only, says why RTMP gets nothing, and never retries it', async () => {
    const s = await waitFor(
      async () => {
        const st = await daemon.status();
        return live(st, 'yard') && st.unsent.length > 0 ? st : null;
      },
      `yard live and its unsent destination named\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    const reason = `H.265 cannot be sent over RTMP with ffmpeg ${s.ffmpeg}; choose an H.264 profile or enable transcode`;
    expect(s.unsent).toEqual([
      {
        cameraId: 'yard',
        destinationId: 'national',
        reason: { code: 'codec-container', codec: 'H265', protocol: 'rtmp', ffmpeg: s.ffmpeg },
        message: reason,
      },
    ]);
    expect(stream(s, 'yard')!.destinations.map((d) => d.id)).toEqual(['province']);

    // A while in which the old plan put it in the tee and nginx saw a publish every 2 s or less:
    // as long as the RTSP destination takes 10 s of its video (15 fps).
    await frames(rtsp, 'yard', 150);
    expect(publishes('yard'), rtmp.errorLog()).toBe(0);
    expect(rtmp.files('yard')).toEqual([]);
    const after = await daemon.status();
    const yard = stream(after, 'yard')!;
    expect([yard.pid, yard.restartsLastHour]).toEqual([stream(s, 'yard')!.pid, 0]);
    expect(yard.destinations.map((d) => [d.id, d.state, d.restartsLastHour])).toEqual([
      ['province', 'live', 0],
    ]);
    expect(after.unsent).toEqual(s.unsent);
    expect(daemon.log().match(/destination not sent/g)).toHaveLength(1);

    // `status` prints it, in the technician's language.
    const en = await runCli(['status', '--socket', socket], { env: { LANG: 'C.UTF-8' } });
    expect(en.stdout).toContain(`yard to national: not sent: ${reason}`);
    expect(en.stdout).toMatch(/national\s+not sent/);
    const vi = await runCli(['--lang', 'vi', 'status', '--socket', socket]);
    expect(vi.stdout).toContain(
      `yard đến national: không gửi: không thể gửi H.265 qua RTMP với ffmpeg ${s.ffmpeg}`,
    );

    // The camera's retained status over MQTT: degraded, the destination not-sent with its reason.
    const doc = await waitFor(() => {
      const m = sub.last('/cameras/yard/status')?.json as
        | {
            state: string;
            destinations: { id: string; state: string; reason?: string; restartsLastHour: number }[];
          }
        | undefined;
      return m?.destinations.some((d) => d.id === 'national') ? m : null;
    }, 'the camera status over MQTT');
    expect(doc.state).toBe('degraded');
    expect(doc.destinations).toContainEqual(
      expect.objectContaining({ id: 'national', state: 'not-sent', up: false, restartsLastHour: 0, reason }),
    );
    expect(sub.problems).toEqual([]);
  }, 180_000);

  it('relays the H.264 sub-stream of an H.265 main camera to RTMP, from one pull with the recording', async () => {
    const s = await waitFor(
      async () => {
        const st = await daemon.status();
        return live(st, 'gate') ? st : null;
      },
      `gate live\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    const gate = s.streams.filter((x) => x.cameraId === 'gate');
    // One pull: the RTSP destination and the recording moved with the RTMP one to Profile_2.
    expect(gate.map((x) => [x.profile, x.destinations.map((d) => d.id), x.recording !== null])).toEqual([
      ['Profile_2', ['national', 'province'], true],
    ]);
    expect(s.unsent.filter((u) => u.cameraId === 'gate')).toEqual([]);
    await frames(rtmp, 'gate', 30);
    const probe = await rtmp.probe('gate');
    expect([probe.codec, probe.width, probe.height]).toEqual(['h264', 640, 360]);
    expect(gate[0]!.restartsLastHour).toBe(0);
  }, 150_000);
});
