// A tee destination that turns failing leaves the camera's tee for a process of its own, which backs
// off in steps (issue 12 item 6; src/relay/tee-exit.ts). The real daemon relays a simulated camera
// to two destinations on a real nginx-rtmp: `ioc` directly, `national` through a socket the test
// holds, which resets every connection until it lets them through. Inside the tee ffmpeg's fifo
// retried `national` at one fixed pace for ever; once failing it is written by its own ffmpeg on a
// loopback tap, whose attempts come further and further apart, while `ioc` keeps receiving frames.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import { startRtmpIngest, type RtmpIngest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { describeAccount, destinationAccount, readBacklog, type Backlog } from '../support/accounting.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { fastRelayLines } from '../support/daemon-config.ts';
import { startTcpGate, type TcpGate } from '../support/tcp-gate.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let rtmp: RtmpIngest;
let gate: TcpGate;
let dir: string;
let daemon: Daemon;
const FAILING_AFTER = 3;
const SEGMENT_S = 2;
let config: string;
let socket: string;
/**
 * Each attempt of the moved process also waits for its probe of the tap, which ffmpeg 5.1 reads for
 * the whole -analyzeduration (5 s: 6.0-6.4 s from start to connect, measured): steps far enough
 * apart that this and their +-20 % jitter cannot reorder the gaps.
 */
const BACKOFF = [1, 8, 20];

const stream = (s: GatewayStatus) => s.streams.find((x) => x.cameraId === 'gate')!;
const dest = async (id: string) => stream(await daemon.status()).destinations.find((d) => d.id === id)!;
const logLines = (msg: string) =>
  daemon
    .log()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}`));

/** Connections less than 0.5 s apart are one attempt (ffmpeg may connect twice to open one RTMP output). */
function attemptsAfter(t: number): number[] {
  const out: number[] = [];
  for (const a of gate.attempts)
    if (a > t && (out.length === 0 || a - out[out.length - 1]! > 500)) out.push(a);
  return out;
}

/** The daemon's configuration for one camera and two destinations (id -> URL) in `dir`. */
function writeGatewayConfig(
  dir: string,
  camera: string,
  destinations: Record<string, string>,
  relay: { backoffSeconds?: number[]; more: string[] },
): { config: string; socket: string } {
  const socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Tee exit }',
      'discovery: { enabled: false }',
      'cameras:',
      `  - { id: ${camera}, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      ...Object.entries(destinations).map(([id, url]) => `  - { id: ${id}, url: "${url}" }`),
      ...fastRelayLines(socket, { ...relay, more: [`failingAfter: ${FAILING_AFTER}`, ...relay.more] }),
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      `recording: { dir: ${join(dir, 'rec')}, segmentSeconds: ${SEGMENT_S}, minFreeMb: 16 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  return { config, socket };
}

beforeAll(async () => {
  [site, rtmp] = await Promise.all([
    startSite({ cameras: [{ id: 'hik-1', personality: 'hikvision' }] }),
    startRtmpIngest(),
  ]);
  gate = await startTcpGate({ host: rtmp.host, port: rtmp.port });
  dir = mkdtempSync(join(tmpdir(), 'egw-tee-exit-'));
  ({ config, socket } = writeGatewayConfig(
    dir,
    'gate',
    { national: `rtmp://127.0.0.1:${gate.port}/live/national-{cameraId}`, ioc: rtmp.urlTemplate },
    // At once, here: ioc delivers meanwhile, so it is a platform refusing, not the uplink.
    { backoffSeconds: BACKOFF, more: ['teeExitAfterSeconds: 0'] },
  ));
  daemon = await startDaemon(config, socket);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await gate?.close();
  await Promise.allSettled([rtmp?.stop(), site?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a tee destination refused until it is failing', () => {
  let movedAt = 0;

  it('leaves the tee for a process of its own, one alarm, the same destination id', async () => {
    await waitFor(() => (logLines('failing destination moved').length > 0 ? true : null), 'the move', 90_000);
    movedAt = Date.parse((JSON.parse(logLines('failing destination moved')[0]!) as { time: string }).time);
    const before = gate.attempts.filter((a) => a <= movedAt);
    console.log(`moved after ${before.length} connections to national through the tee`);
    expect(before.length).toBeGreaterThanOrEqual(FAILING_AFTER);
    const national = await dest('national');
    expect(national.failingSince).not.toBeNull();
    expect(national.failures).toBeGreaterThanOrEqual(FAILING_AFTER);
    expect(logLines('failing:')).toHaveLength(1);
    expect(logLines('failing:')[0]).toMatch(/"destinationId":"national"/);
  }, 120_000);

  it('is then tried at growing intervals, while the other destination keeps receiving frames', async () => {
    const iocAtMove = await rtmp.framesReceived('gate');
    await waitFor(
      () => (attemptsAfter(movedAt).length >= 4 ? true : null),
      `four attempts after the move (${attemptsAfter(movedAt).length} so far)\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    const a = attemptsAfter(movedAt);
    const gaps = a.slice(1, 4).map((t, i) => (t - a[i]!) / 1000);
    console.log(`attempts after the move ${gaps.map((g) => g.toFixed(1)).join(' s, ')} s apart`);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    const national = await dest('national');
    expect(national.failingSince).not.toBeNull();
    expect(national.state).not.toBe('live');
    // Its own ffmpeg's failure, in the words the tee's refusals had.
    expect(national.lastError).toMatch(/^could not open the destination: /);
    expect(national.outOfTee).toBe(true);
    expect((await dest('ioc')).outOfTee).toBe(false);
    const shown = await runCli(['status', '--socket', socket]);
    expect(shown.stdout).toMatch(
      /national \(own process: out of the tee\)\s+\S+, FAILING: \d+ failures in a row/,
    );
    expect(logLines('failing:')).toHaveLength(1);
    const ioc = await dest('ioc');
    expect(ioc.state).toBe('live');
    expect(await rtmp.framesReceived('gate')).toBeGreaterThan(iocAtMove);
  }, 120_000);

  it('goes live through its own process once the server takes it, and the alarm clears', async () => {
    const ioc = await rtmp.framesReceived('gate');
    gate.open();
    await waitFor(
      async () => ((await dest('national')).state === 'live' ? true : null),
      `national live\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    await waitFor(
      async () => ((await rtmp.framesReceived('national-gate')) > 0 ? true : null),
      'frames of national at the ingest',
      30_000,
    );
    expect(await dest('national')).toMatchObject({ failures: 0, failingSince: null });
    expect(logLines('no longer failing')).toHaveLength(1);
    expect(logLines('failing:')).toHaveLength(1);
    expect(await rtmp.framesReceived('gate')).toBeGreaterThan(ioc);
    expect((await dest('ioc')).state).toBe('live');
    // The move cost the camera's process one restart, which is not a failure of the camera.
    expect(stream(await daemon.status()).restartsLastHour).toBe(0);
  }, 120_000);

  it("accounts for every second of the recording and of both destinations across the camera process's restart", async () => {
    // The segment being written is indexed once it closes: that much may still be unaccounted.
    const open = SEGMENT_S + 1;
    let last: Backlog | null = null;
    // The backlog that meets the condition is the one judged: the open segment grows between reads.
    const b = await waitFor(
      async () => {
        const x = (last = await readBacklog(config));
        const a = x.accounting.find((c) => c.cameraId === 'gate');
        return x.openOutages.length === 0 &&
          a !== undefined &&
          // The same sum as asserted below (unaccountedSeconds is rounded to the second).
          Math.abs(a.recording.configuredSeconds - a.recording.recordedSeconds - a.recording.lostSeconds) <=
            open
          ? x
          : null;
      },
      'every outage closed, the recording accounted',
      60_000,
      1000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(last, null, 1)}`);
    });
    const { camera } = destinationAccount(b, 'gate', 'ioc');
    const r = camera.recording;
    console.log(
      `recording ${r.recordedSeconds} s + lost ${r.lostSeconds} s ${JSON.stringify(r.lostByReason)} of ${r.configuredSeconds} s (unaccounted ${r.unaccountedSeconds} s)`,
    );
    // The restart's cut (under a second here, GAP_MS in buffer/segment-index.ts) or a gap lost as
    // relay-restart (the gateway restarted the camera's process), with its reason.
    expect(Object.keys(r.lostByReason).filter((k) => k !== 'starting' && k !== 'relay-restart')).toEqual([]);
    expect(Math.abs(r.configuredSeconds - r.recordedSeconds - r.lostSeconds)).toBeLessThanOrEqual(open);
    for (const id of ['ioc', 'national']) {
      const { d, sum } = destinationAccount(b, 'gate', id);
      console.log(describeAccount(id, d, sum));
      expect(Math.abs(d.configuredSeconds - sum)).toBeLessThanOrEqual(SEGMENT_S);
    }
  }, 120_000);
});

// An uplink down fails every destination at once: no platform to back off from, and moving them
// would cut every camera and leave each with more processes. Nothing moves until the site delivers
// somewhere again; then a destination still refused does.
describe('every destination refused at once (the uplink down)', () => {
  let up: Daemon;
  let a: TcpGate;
  let b: TcpGate;
  let upDir: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTcpGate({ host: rtmp.host, port: rtmp.port }),
      startTcpGate({ host: rtmp.host, port: rtmp.port }),
    ]);
    upDir = mkdtempSync(join(tmpdir(), 'egw-tee-uplink-'));
    const { config: upConfig, socket: upSocket } = writeGatewayConfig(
      upDir,
      'cut',
      {
        first: `rtmp://127.0.0.1:${a.port}/live/first-{cameraId}`,
        second: `rtmp://127.0.0.1:${b.port}/live/second-{cameraId}`,
      },
      { more: ['teeExitAfterSeconds: 0'] },
    );
    up = await startDaemon(upConfig, upSocket);
  }, 120_000);

  afterAll(async () => {
    await up?.stop();
    await Promise.allSettled([a?.close(), b?.close()]);
    if (upDir) rmSync(upDir, { recursive: true, force: true });
  });

  const cut = async () => (await up.status()).streams.find((x) => x.cameraId === 'cut')!;
  const moved = () =>
    up
      .log()
      .split('\n')
      .filter((l) => l.includes('"msg":"failing destination moved'));

  it('moves nothing while nothing delivers, and cuts nothing', async () => {
    const both = await waitFor(
      async () => {
        const s = await cut();
        return s.destinations.every((d) => d.failingSince !== null) && s.state === 'live' ? s : null;
      },
      `both destinations failing\n${up.log().slice(-3000)}`,
      90_000,
    );
    const pid = both.pid;
    // Well past the moment a move would have been made: three more refusals at each gate.
    const [na, nb] = [a.attempts.length, b.attempts.length];
    await waitFor(
      () => (a.attempts.length >= na + 3 && b.attempts.length >= nb + 3 ? true : null),
      'three more attempts at each destination',
      60_000,
    );
    expect(moved()).toEqual([]);
    const s = await cut();
    expect(s.destinations.map((d) => d.outOfTee)).toEqual([false, false]);
    expect(s.pid).toBe(pid);
  }, 180_000);

  it('moves a destination still refused once another delivers', async () => {
    a.open();
    await waitFor(() => (moved().length > 0 ? true : null), `the move\n${up.log().slice(-3000)}`, 90_000);
    expect(moved()).toHaveLength(1);
    expect(moved()[0]).toMatch(/"destinationId":"second"/);
    // Shown out of the tee once the camera's process runs without it and its own has started.
    await waitFor(
      async () => ((await cut()).destinations.find((d) => d.id === 'second')!.outOfTee ? true : null),
      'second shown out of the tee',
      60_000,
    );
    await waitFor(
      async () => ((await cut()).destinations.find((d) => d.id === 'first')!.state === 'live' ? true : null),
      'first live again after the cut',
      60_000,
    );
    expect(moved()).toHaveLength(1);
  }, 120_000);
});
