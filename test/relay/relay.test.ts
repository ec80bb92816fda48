// The relay end to end: real simulated cameras (GStreamer RTSP), a real RTMP ingest (nginx) and a
// real RTSP ingest (GStreamer RECORD), the real daemon. Faults are injected one at a time and each
// test checks that frames really arrive where they should and that the other paths were untouched.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import { findOwned, ownerKeyFor } from '../../src/relay/orphans.ts';
import { startRtmpIngest, startRtspIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { fastRelayLines } from '../support/daemon-config.ts';
import { alive, waitFor } from '../support/wait.ts';

let site: SimSite;
let rtmp: Ingest;
let rtsp: Ingest;
let dir: string;
let config: string;
let socket: string;
let daemon: Daemon;

const CAMS = ['cam-a', 'cam-b'];
const part = (s: GatewayStatus, cam: string, dest?: string) => {
  const stream = s.streams.find((x) => x.cameraId === cam)!;
  return dest ? stream.destinations.find((d) => d.id === dest)! : stream;
};
const allLive = (s: GatewayStatus) =>
  s.streams.length === 2 &&
  s.streams.every((x) => x.state === 'live' && x.destinations.every((d) => d.state === 'live'));

/** Frames keep arriving at an ingest for a stream over `ms`. */
async function keepsReceiving(ingest: Ingest, stream: string, ms: number): Promise<void> {
  const step = 2000;
  let last = await ingest.framesReceived(stream);
  for (let t = 0; t < ms; t += step) {
    await new Promise((r) => setTimeout(r, step));
    const now = await ingest.framesReceived(stream);
    expect(now, `${ingest.kind} ${stream} frames at +${t + step} ms`).toBeGreaterThan(last);
    last = now;
  }
}

const growing = async (ingest: Ingest, stream: string) => {
  const before = await ingest.framesReceived(stream);
  await waitFor(
    async () => (await ingest.framesReceived(stream)) > before + 15,
    `${ingest.kind} ${stream} frames to grow`,
    30_000,
  );
};

beforeAll(async () => {
  [site, rtmp, rtsp] = await Promise.all([
    startSite({
      cameras: [
        { id: 'cam-a', personality: 'hikvision' },
        { id: 'cam-b', personality: 'dahua' },
      ],
    }),
    startRtmpIngest(),
    startRtspIngest(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'egw-relay-'));
  socket = join(dir, 'status.sock');
  config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Relay test site }',
      'cameras:',
      ...site.cameras.map((c) => `  - { id: ${c.spec.id}, url: "${c.rtspUrl('main')}" }`),
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      `  - { id: ioc, url: "${rtsp.urlTemplate}" }`,
      ...fastRelayLines(socket),
      // A destination down for the minute below is not failing here: one that is leaves the tee,
      // at the cost of one cut of the other destinations (test/app/tee-exit.test.ts).
      '  failingAfter: 60',
      `recording: { dir: ${join(dir, 'rec')} }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket);
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop(), rtsp?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A process's command name, or null once it is gone. */
function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

describe('relay', () => {
  it("delivers every camera to both destinations, stream-copied at the camera's size", async () => {
    await waitFor(async () => allLive(await daemon.status()), 'all streams live', 60_000);
    for (const cam of CAMS) {
      await growing(rtmp, cam);
      await growing(rtsp, cam);
      const main = site.cameras.find((c) => c.spec.id === cam)!.profiles.find((p) => p.mount === 'main')!;
      for (const ingest of [rtmp, rtsp]) {
        const probe = await ingest.probe(cam);
        expect([probe.codec, probe.width, probe.height], `${ingest.kind} ${cam}`).toEqual([
          'h264',
          main.width,
          main.height,
        ]);
      }
    }
  }, 120_000);

  it("reports each camera's bitrate as received and each destination's as acknowledged", async () => {
    const measured = (s: GatewayStatus) =>
      s.streams.every((x) => x.kbps !== null && x.destinations.every((d) => d.kbps !== null));
    // Two samples of the kernel's byte counters, BITRATE_EVERY_MS apart, once every stream is live.
    await waitFor(async () => measured(await daemon.status()), 'bitrates measured', 45_000);
    // The yardstick: how fast each ingest's recording of the stream grows (container overhead aside).
    const size = (ingest: Ingest, cam: string) =>
      ingest.files(cam).reduce((sum, f) => sum + statSync(f).size, 0);
    const before = CAMS.map((cam) => [size(rtmp, cam), size(rtsp, cam)]);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const s = await daemon.status();
    const seconds = (Date.now() - t0) / 1000;
    for (const [i, cam] of CAMS.entries()) {
      const recorded = {
        national: ((size(rtmp, cam) - before[i]![0]!) * 8) / seconds / 1000,
        ioc: ((size(rtsp, cam) - before[i]![1]!) * 8) / seconds / 1000,
      };
      const stream = s.streams.find((x) => x.cameraId === cam)!;
      const figures: [string, number | null, number][] = [
        ['camera', stream.kbps, recorded.national],
        ...stream.destinations.map((d): [string, number | null, number] => [
          d.id,
          d.kbps,
          recorded[d.id as keyof typeof recorded],
        ]),
      ];
      for (const [what, kbps, yardstick] of figures) {
        expect(yardstick, `${cam} ${what}: the ingest recorded something`).toBeGreaterThan(10);
        expect(kbps, `${cam} ${what} kbps against ${Math.round(yardstick)} recorded`).toBeGreaterThan(
          yardstick / 2,
        );
        expect(kbps, `${cam} ${what} kbps against ${Math.round(yardstick)} recorded`).toBeLessThan(
          yardstick * 2,
        );
      }
    }
  }, 80_000);

  it('keeps the other destination going while one is down for a minute, then recovers it', async () => {
    await rtmp.kill();
    await waitFor(
      async () => part(await daemon.status(), 'cam-a', 'national').state !== 'live',
      'national down',
    );
    await keepsReceiving(rtsp, 'cam-a', 60_000);
    const s = await daemon.status();
    expect(part(s, 'cam-a').state).toBe('live');
    expect(part(s, 'cam-a', 'ioc').restartsLastHour).toBe(0);
    await rtmp.restart();
    await waitFor(async () => allLive(await daemon.status()), 'national live again', 30_000);
    await growing(rtmp, 'cam-a');
  }, 150_000);

  // Root only: a black hole needs dropped packets (nftables); SIGSTOP of a loopback receiver is not one.
  it.skipIf(!canBlackhole())(
    'restarts a black-holed destination alone',
    async () => {
      const s0 = await daemon.status();
      const before = part(s0, 'cam-b', 'ioc').restartsLastHour;
      const national = part(s0, 'cam-b', 'national').restartsLastHour;
      const pull = part(s0, 'cam-b').pid;
      const restore = blackholePort(rtsp.port);
      try {
        await waitFor(
          async () => part(await daemon.status(), 'cam-b', 'ioc').restartsLastHour > before,
          'ioc restarted',
          40_000,
        );
        await keepsReceiving(rtmp, 'cam-b', 6000);
        // Alone: the camera pull was not restarted and the other destination never dropped.
        const s1 = await daemon.status();
        expect(part(s1, 'cam-b').pid).toBe(pull);
        expect(part(s1, 'cam-b', 'national').restartsLastHour).toBe(national);
      } finally {
        restore();
      }
      await waitFor(async () => allLive(await daemon.status()), 'ioc live again', 40_000);
      await growing(rtsp, 'cam-b');
    },
    120_000,
  );

  it('recovers a camera that was killed, without touching the other camera', async () => {
    const cam = site.cameras.find((c) => c.spec.id === 'cam-a')!;
    await cam.stopRtsp();
    await waitFor(async () => part(await daemon.status(), 'cam-a').state !== 'live', 'cam-a down', 30_000);
    await keepsReceiving(rtmp, 'cam-b', 4000);
    await cam.startRtsp();
    await waitFor(async () => allLive(await daemon.status()), 'cam-a live again', 60_000);
    await growing(rtmp, 'cam-a');
    await growing(rtsp, 'cam-a');
  }, 120_000);

  it('recovers a camera that goes silent with its connection open', async () => {
    const cam = site.cameras.find((c) => c.spec.id === 'cam-b')!;
    const pid = Number(
      execFileSync('pgrep', ['-f', `rtsp_server.py.*--port ${cam.rtspPort}`])
        .toString()
        .trim()
        .split('\n')[0],
    );
    const restarts = part(await daemon.status(), 'cam-b').restartsLastHour;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(
        async () => part(await daemon.status(), 'cam-b').restartsLastHour > restarts,
        'cam-b ingest restarted',
        30_000,
      );
      await keepsReceiving(rtsp, 'cam-a', 4000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => allLive(await daemon.status()), 'cam-b live again', 60_000);
    await growing(rtmp, 'cam-b');
  }, 120_000);

  it('restarts an ffmpeg killed by hand', async () => {
    // The camera's one ffmpeg carries every destination: killing it restarts the pull.
    const victim = part(await daemon.status(), 'cam-a', 'national').pid!;
    expect(part(await daemon.status(), 'cam-a').pid).toBe(victim);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      async () => {
        const d = part(await daemon.status(), 'cam-a', 'national');
        return d.state === 'live' && d.pid !== victim;
      },
      'a new national ffmpeg',
      30_000,
    );
    await growing(rtmp, 'cam-a');
  }, 60_000);

  it('leaves no ffmpeg running once the daemon is SIGKILLed, and starts again cleanly', async () => {
    const owned = () => findOwned(ownerKeyFor(socket));
    const ffmpegs = () => owned().filter((pid) => commOf(pid) === 'ffmpeg');
    const before = owned();
    expect(ffmpegs().length).toBe(2); // per camera one ffmpeg: the pull, both destinations and the recording
    // Besides them, only the shell that runs ss for the relay's looks at the TCP table
    // (ss-shell.ts), and the ss it may be running at this instant.
    const others = before.filter((pid) => commOf(pid) !== 'ffmpeg').map(commOf);
    expect(others).toContain('sh');
    expect(others.filter((c) => !['sh', 'ss', 'setpriv'].includes(c!))).toEqual([]);
    daemon.proc.kill('SIGKILL');
    await waitFor(() => !alive(daemon.proc.pid), 'the daemon to die');
    // The kernel ends them with the daemon (PR_SET_PDEATHSIG): nothing waits for the next start.
    await waitFor(() => before.filter(alive).length === 0, 'every child gone with the daemon', 5000);
    expect(owned().filter(alive)).toEqual([]);
    daemon = await startDaemon(config, socket);
    await waitFor(async () => allLive(await daemon.status()), 'streams live after restart', 60_000);
    expect(ffmpegs().length).toBe(2);
    await growing(rtsp, 'cam-b');
  }, 120_000);

  it('stops within 10 s on SIGTERM and leaves no ffmpeg behind', async () => {
    const children = findOwned(ownerKeyFor(socket));
    const ms = await daemon.stop();
    expect(ms).toBeLessThan(10_000);
    expect(children.filter(alive)).toEqual([]);
  }, 30_000);
});
