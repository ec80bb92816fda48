// bench:relay: the gateway under test, the real daemon run as the systemd unit runs it, and its phase
// (start-up, a measured window, the stall test).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayStatus, StreamStatus } from '../../src/core/status.ts';
import { killOrphans, ownerKeyFor } from '../../src/relay/orphans.ts';
import { type Ingest } from '../../test/ingest/index.ts';
import { blackholePort, canBlackhole } from '../../test/support/blackhole.ts';
import { statusOf } from '../../test/support/daemon.ts';
import { CameraRig, type Camera } from './camera-rig.ts';
import { type DaemonEntry } from './entry.ts';
import { memoryOf, processTree } from './proc.ts';
import { restartReasons } from './restart-reasons.ts';
import { exitUndo, onCleanup, sleep, now, MB, fmt, log } from './harness.ts';
import { type Options } from './options.ts';
import { type WindowResult, framesOf, measureWindow, gatewayKind, firstFrames } from './window.ts';

// ---------------------------------------------------------------------------------------------
// The gateway daemon, run as a service would (`edge-gateway run --config FILE`).

/** What runs the daemon: set once in main() (the bundle as the unit runs it, or tsx with --tsx). */
export let entry: DaemonEntry | null = null;

export function setEntry(e: DaemonEntry): void {
  entry = e;
}

export interface Gateway {
  proc: ChildProcess;
  pid: number;
  status(): Promise<GatewayStatus>;
  /** Status requests that failed (the socket answers within 3 s or not at all). */
  statusTimeouts(): number;
  log(): string;
  stop(): Promise<void>;
}

export const allLive = (s: GatewayStatus, n: number) =>
  s.streams.length === n &&
  s.streams.every((x) => x.state === 'live' && x.destinations.every((d) => d.state === 'live'));

/** The status, tried up to 5 times: an overloaded daemon can miss the 3 s timeout of one request. */
export async function patientStatus(gw: Gateway): Promise<GatewayStatus | null> {
  for (let i = 0; i < 5; i++) {
    const s = await gw.status().catch(() => null);
    if (s) return s;
    await sleep(500);
  }
  return null;
}

export const restartsOf = (s: GatewayStatus) =>
  s.streams.reduce(
    (n, x) => n + x.restartsLastHour + x.destinations.reduce((m, d) => m + d.restartsLastHour, 0),
    0,
  );

export function destination(
  s: GatewayStatus,
  cam: string,
  id: string,
): StreamStatus['destinations'][number] | null {
  return s.streams.find((x) => x.cameraId === cam)?.destinations.find((d) => d.id === id) ?? null;
}

export function writeConfig(
  dir: string,
  cams: Camera[],
  rtmp: Ingest,
  rtsp: Ingest,
  record: boolean,
): { config: string; socket: string } {
  const socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: bench, name: Relay bench }',
      'cameras:',
      ...cams.map((c) => `  - { id: ${c.id}, url: "${c.url}" }`),
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      `  - { id: ioc, url: "${rtsp.urlTemplate}" }`,
      // The daemon's default relay settings (stallSeconds 10, startGraceSeconds 20, back-off 1, 2,
      // 5, ... s, stopTimeoutSeconds 3): only the socket is ours.
      `relay: { statusSocket: ${socket} }`,
      // No multicast discovery (only loopback may be contacted) and no scheduled jobs in the window.
      'discovery: { enabled: false }',
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      // Recording as a site runs it (on by default: one more slave of each camera's tee, segments
      // hashed and indexed by the daemon); off with --no-record, the relay alone.
      `recording: { dir: ${join(dir, 'rec')}, enabled: ${record} }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      // No broker: the telemetry module retries in the background, as on a site whose uplink is down.
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
      'log: { level: warn }',
    ].join('\n'),
  );
  return { config, socket };
}

/** The daemon's memory with no camera at all, after it has settled: its fixed cost. */
export async function idleDaemonMemory(): Promise<{ rssMB: number; privateMB: number } | null> {
  const dir = join('/tmp', `egw-bench-relay-${process.pid}-idle`);
  mkdirSync(dir, { recursive: true });
  const unregisterDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: bench, name: Relay bench idle }',
      `relay: { statusSocket: ${socket} }`,
      'discovery: { enabled: false }',
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      `recording: { dir: ${join(dir, 'rec')} }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
      'log: { level: warn }',
    ].join('\n'),
  );
  try {
    const gw = await startGateway(config, socket);
    try {
      await sleep(5000);
      const m = memoryOf(gw.pid);
      return m ? { rssMB: m.rss / MB, privateMB: m.private / MB } : null;
    } finally {
      await gw.stop();
    }
  } finally {
    unregisterDir();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startGateway(config: string, socket: string): Promise<Gateway> {
  if (!entry) throw new Error('startGateway before the daemon entry was chosen');
  const command = [entry.file, ...entry.args, 'run', '--config', config];
  // setpriv execs node with PR_SET_PDEATHSIG=TERM: if this bench dies, the daemon stops its ffmpegs.
  const [file, args] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', ...command]]
    : [command[0]!, command.slice(1)];
  const proc = spawn(file, args, {
    env: { ...process.env, ...entry.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error('cannot start the daemon');
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-50_000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('error', (e) => (out += `\n${e.message}`));
  const exited = new Promise<void>((r) => proc.once('close', () => r()));
  const owner = ownerKeyFor(socket);
  let stopped = false;
  let timeouts = 0;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
  };
  // On failure or Ctrl-C: also end any ffmpeg it left (they carry our owner marker in their environment).
  const unregister = onCleanup(async () => {
    await stop();
    killOrphans(owner);
  });
  const gw: Gateway = {
    proc,
    pid: proc.pid,
    status: () =>
      statusOf(socket).catch((e: unknown) => {
        if ((e as Error).message === 'status timeout') timeouts++;
        throw e;
      }),
    statusTimeouts: () => timeouts,
    log: () => out,
    stop: async () => {
      unregister();
      await stop();
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`daemon exited:\n${out}`);
    try {
      await gw.status();
      return gw;
    } catch {
      if (Date.now() > deadline) {
        await gw.stop();
        throw new Error(`no status socket within 30 s:\n${out}`);
      }
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The gateway phase

export interface StallResult {
  method: 'black hole (nftables)' | 'SIGSTOP of the ingest';
  cameras: number;
  /** Seconds from the fault to restartsLastHour increasing, per camera that restarted. */
  restart: number[];
  /** Seconds from the fault to live again, per camera. */
  live: number[];
  /** Seconds the fault lasted (lifted once every camera's destination had restarted). */
  liftedAt: number;
  /** Cameras whose destination was not live again within 60 s of the fault being lifted. */
  stragglers: string[];
  /** The other destination (RTMP) kept receiving every camera during the fault. */
  othersUnaffected: boolean;
  otherRestarts: number;
}

export interface GatewayResult {
  window: WindowResult | null;
  runToSocket: number;
  runToLive: number | null;
  runToFrames: number | null;
  restartsInWindow: number;
  /** ffmpeg restarts between `run` and the window (start-up trouble). */
  restartsAtStart: number;
  stall: StallResult | null;
  problems: string[];
}

/** The stderr the daemon logged with the last failure of a destination (pino JSON lines). */
export function lastStderr(daemonLog: string, cameraId: string, destinationId: string): string {
  let found = '';
  for (const line of daemonLog.split('\n')) {
    if (!line.startsWith('{') || !line.includes(cameraId)) continue;
    try {
      const rec = JSON.parse(line) as { cameraId?: string; destinationId?: string; stderr?: string[] };
      if (rec.cameraId === cameraId && rec.destinationId === destinationId && rec.stderr?.length)
        found = rec.stderr.slice(-3).join(' | ');
    } catch {
      /* not JSON */
    }
  }
  return found ? `(stderr: ${found})` : '';
}

export async function measureStall(
  gw: Gateway,
  cams: Camera[],
  rtmp: Ingest,
  rtsp: Ingest,
): Promise<StallResult> {
  const s0 = await patientStatus(gw);
  if (!s0) throw new Error('the daemon does not answer on its status socket');
  const before = new Map(cams.map((c) => [c.id, destination(s0, c.id, 'ioc')?.restartsLastHour ?? 0]));
  const nationalBefore = cams.reduce(
    (n, c) => n + (destination(s0, c.id, 'national')?.restartsLastHour ?? 0),
    0,
  );
  const rtmpStreams = cams.map((c) => ({ ingest: rtmp, name: c.id }));
  const rtmp0 = await framesOf(rtmpStreams);
  const blackhole = canBlackhole();
  const t0 = now();
  let lift: () => void;
  if (blackhole) {
    lift = blackholePort(rtsp.port);
  } else {
    rtsp.pause();
    lift = () => rtsp.resume();
  }
  let lifted = false;
  const undo = () => {
    if (lifted) return;
    lifted = true;
    lift();
  };
  exitUndo.add(undo);
  const restart = new Map<string, number>();
  const live = new Map<string, number>();
  let liftedAt = NaN;
  let rtmpDuring: number[] = [];
  try {
    const deadline = t0 + 60_000;
    while (restart.size < cams.length && now() < deadline) {
      await sleep(100);
      const s = await gw.status().catch(() => null);
      if (!s) continue;
      for (const c of cams)
        if (!restart.has(c.id) && (destination(s, c.id, 'ioc')?.restartsLastHour ?? 0) > before.get(c.id)!)
          restart.set(c.id, (now() - t0) / 1000);
    }
    rtmpDuring = await framesOf(rtmpStreams);
  } finally {
    liftedAt = (now() - t0) / 1000;
    undo();
    exitUndo.delete(undo);
  }
  const deadline = now() + 60_000;
  while (live.size < cams.length && now() < deadline) {
    await sleep(100);
    const s = await gw.status().catch(() => null);
    if (!s) continue;
    for (const c of cams) {
      const d = destination(s, c.id, 'ioc');
      if (!live.has(c.id) && restart.has(c.id) && d?.state === 'live') live.set(c.id, (now() - t0) / 1000);
    }
  }
  const s1 = (await patientStatus(gw)) ?? s0;
  const stragglers = cams
    .filter((c) => !live.has(c.id))
    .map((c) => {
      const d = destination(s1, c.id, 'ioc');
      return `${c.id}: ${d?.state ?? '?'}, ${d?.restartsLastHour ?? '?'} restarts, last error ${d?.lastError ?? '-'} ${lastStderr(gw.log(), c.id, 'ioc')}`;
    });
  const nationalAfter = cams.reduce(
    (n, c) => n + (destination(s1, c.id, 'national')?.restartsLastHour ?? 0),
    0,
  );
  return {
    method: blackhole ? 'black hole (nftables)' : 'SIGSTOP of the ingest',
    cameras: cams.length,
    restart: [...restart.values()],
    live: [...live.values()],
    liftedAt,
    stragglers,
    othersUnaffected: rtmpDuring.every((f, i) => f > rtmp0[i]!),
    otherRestarts: nationalAfter - nationalBefore,
  };
}

export async function gatewayPhase(
  dir: string,
  opts: Options,
  cams: Camera[],
  rig: CameraRig,
  rtmp: Ingest,
  rtsp: Ingest,
): Promise<GatewayResult> {
  const problems: string[] = [];
  const { config, socket } = writeConfig(dir, cams, rtmp, rtsp, opts.record);
  const streams = cams.flatMap((c) => [
    { ingest: rtmp, name: c.id },
    { ingest: rtsp, name: c.id },
  ]);
  const t0 = now();
  const gw = await startGateway(config, socket);
  let result: GatewayResult;
  try {
    const runToSocket = (now() - t0) / 1000;
    let runToLive: number | null = null;
    const framesP = firstFrames(streams, t0, 120_000);
    const deadline = t0 + 120_000;
    while (now() < deadline) {
      const s = await gw.status().catch(() => null);
      if (s && allLive(s, cams.length)) {
        runToLive = (now() - t0) / 1000;
        break;
      }
      await sleep(100);
    }
    const runToFrames = await framesP;
    if (runToLive === null) problems.push('not every stream was live within 120 s');
    if (runToFrames === null) problems.push('not every stream reached its ingests within 120 s');
    log(
      `gateway: socket ${fmt(runToSocket)} s, all live ${fmt(runToLive)} s, frames at every ingest ${fmt(runToFrames)} s`,
    );
    await sleep(opts.settleSeconds * 1000);
    const s0 = await patientStatus(gw);
    const r0 = s0 ? restartsOf(s0) : NaN;
    log(`gateway: measuring ${opts.seconds} s`);
    const window = await measureWindow({
      seconds: opts.seconds,
      pids: () => processTree(gw.pid),
      daemonPid: gw.pid,
      streams,
      rig,
      ingests: [rtmp, rtsp],
      classify: gatewayKind(gw.pid),
    });
    const s1 = await patientStatus(gw);
    const restartsInWindow = s1 ? restartsOf(s1) - r0 : NaN;
    if (restartsInWindow > 0) {
      problems.push(`${restartsInWindow} ffmpeg restarts during the window`);
      for (const r of restartReasons(gw.log())) log(`gateway: restart cause in its log: ${r}`);
    }
    if (gw.statusTimeouts() > 0)
      problems.push(
        `the status socket timed out (3 s) ${gw.statusTimeouts()} time(s): the daemon is overloaded`,
      );
    let stall: StallResult | null = null;
    if (opts.faults && runToLive === null) {
      problems.push('stall measurement skipped: the streams were not all live');
    } else if (opts.faults) {
      log('gateway: black-holing the RTSP destination');
      stall = await measureStall(gw, cams, rtmp, rtsp);
    }
    result = {
      window,
      runToSocket,
      runToLive,
      runToFrames,
      restartsInWindow,
      restartsAtStart: r0,
      stall,
      problems,
    };
  } finally {
    await gw.stop();
  }
  // The daemon must leave no ffmpeg behind on SIGTERM; end (and report) any that it did.
  const left = killOrphans(ownerKeyFor(socket));
  if (left.length > 0) problems.push(`${left.length} ffmpeg left behind by the stopped daemon`);
  return result;
}
