// Relay figures (issue 3), each beside a baseline measured in the same run on the same rig:
//   1. CPU and private memory of the gateway (`edge-gateway run` plus all its ffmpeg children)
//      relaying N cameras of 1080p25 at ~4 Mbit/s to two destinations (RTMP and RTSP ingests),
//      against one bare `ffmpeg -c copy -f tee` per camera producing the same two outputs;
//   2. the time from `run` to every stream live, and from a destination's stall (its ingest port
//      black-holed) to its restart and to it being live again.
// With --record, the gateway's local recording stays on and the baseline's tee gets the same
// segment output. The daemon is the production bundle run as the systemd unit runs it (its
// ExecStart's node flags), or the tsx source entry with --tsx.
// Run: npm run bench:relay [-- --cameras 1,8,16,32 --seconds 30 --no-faults --record --tsx].
// See bench/relay/README.md.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { GatewayStatus, StreamStatus } from '../../src/core/status.ts';
import { killOrphans, ownerKeyFor } from '../../src/relay/orphans.ts';
import { startRtmpIngest, startRtspIngest, type Ingest } from '../../test/ingest/index.ts';
import { spawnManaged, terminate, type Managed } from '../../test/ingest/process.ts';
import { blackholePort, canBlackhole } from '../../test/support/blackhole.ts';
import { statusOf } from '../../test/support/daemon.ts';
import { CameraRig, ensureClip, type Camera } from './camera-rig.ts';
import { daemonEntry, type DaemonEntry } from './entry.ts';
import {
  CLOCK_TICKS,
  commandLine,
  CpuWindow,
  machineTicks,
  memoryOf,
  processTree,
  sumMemory,
  userSystem,
} from './proc.ts';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  cameras: number[];
  seconds: number;
  settleSeconds: number;
  faults: boolean;
  /** Local recording on in the gateway, and a segment output in the baseline's tee. */
  record: boolean;
  /** Measure the tsx source entry (bin/edge-gateway.js) instead of the production bundle. */
  tsx: boolean;
  /** Gateway and baseline windows alternate this many times per camera count. */
  rounds: number;
}

function usage(code: number): never {
  console.log(`usage: npm run bench:relay -- [--cameras 1,8,16,32] [--seconds 30] [--rounds 2] [--settle 5] [--no-faults] [--record] [--tsx]

  --cameras LIST  camera counts to measure, in order (default 1,8,16,32: the issue's counts and 16
                  for the daemon's memory target)
  --seconds N     measurement window for the gateway and for the baseline, each (default 30)
  --rounds N      gateway and baseline windows alternate N times per camera count, so a machine
                  that slows down or speeds up during the run weighs on both alike (default 2)
  --settle N      wait after every stream is live before the window opens (default 5)
  --no-faults     skip the stall-to-restart measurement
  --record        keep the gateway's local recording on (recording.enabled, 4 s segments) and give
                  the baseline's tee the same segment output; by default both only relay
  --tsx           measure the TypeScript entry run through tsx (bin/edge-gateway.js) instead of the
                  production bundle; by default the daemon is dist/edge-gateway.mjs (built with
                  npm run build when missing or older than src/) run by node with the node flags
                  of the ExecStart of systemd/edge-gateway.service, as the service runs it`);
  process.exit(code);
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    cameras: [1, 8, 16, 32],
    seconds: 30,
    settleSeconds: 5,
    faults: true,
    record: false,
    tsx: false,
    rounds: 2,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(64);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) usage(64);
      return n;
    };
    if (a === '--cameras') o.cameras = value().split(',').map(positive);
    else if (a === '--seconds') o.seconds = positive(value());
    else if (a === '--settle') o.settleSeconds = Number(value());
    else if (a === '--no-faults') o.faults = false;
    else if (a === '--record') o.record = true;
    else if (a === '--tsx') o.tsx = true;
    else if (a === '--rounds') o.rounds = positive(value());
    else if (a === '--help' || a === '-h') usage(0);
    else usage(64);
  }
  if (!Number.isFinite(o.settleSeconds) || o.settleSeconds < 0) usage(64);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every process this bench starts is stopped on success, failure, Ctrl-C or SIGTERM.

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];
/** Synchronous undo steps that must run even on process.exit (the nftables black hole). */
const exitUndo = new Set<() => void>();

function onCleanup(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup failed: ${(e as Error).message}`);
    }
  }
  for (const undo of exitUndo) undo();
}

process.on('exit', () => {
  for (const undo of exitUndo) undo();
});
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130); // second signal: process.ts's exit hook SIGKILLs the rest
    interrupted = true;
    console.error(`\n${sig}: stopping every process of the bench...`);
    void runCleanups().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const MB = 1024 * 1024;
const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

function machine(): { cores: number; model: string; ffmpeg: string; node: string } {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const ffmpeg = execFileSync('ffmpeg', ['-hide_banner', '-version']).toString().split('\n')[0]!.trim();
  return { cores: availableParallelism(), model, ffmpeg, node: process.version };
}

// ---------------------------------------------------------------------------------------------
// The gateway daemon, run as a service would (`edge-gateway run --config FILE`).

/** What runs the daemon: set once in main() (the bundle as the unit runs it, or tsx with --tsx). */
let entry: DaemonEntry | null = null;

interface Gateway {
  proc: ChildProcess;
  pid: number;
  status(): Promise<GatewayStatus>;
  /** Status requests that failed (the socket answers within 3 s or not at all). */
  statusTimeouts(): number;
  log(): string;
  stop(): Promise<void>;
}

const allLive = (s: GatewayStatus, n: number) =>
  s.streams.length === n &&
  s.streams.every((x) => x.state === 'live' && x.destinations.every((d) => d.state === 'live'));

/** The status, tried up to 5 times: an overloaded daemon can miss the 3 s timeout of one request. */
async function patientStatus(gw: Gateway): Promise<GatewayStatus | null> {
  for (let i = 0; i < 5; i++) {
    const s = await gw.status().catch(() => null);
    if (s) return s;
    await sleep(500);
  }
  return null;
}

const restartsOf = (s: GatewayStatus) =>
  s.streams.reduce(
    (n, x) => n + x.restartsLastHour + x.destinations.reduce((m, d) => m + d.restartsLastHour, 0),
    0,
  );

function destination(s: GatewayStatus, cam: string, id: string): StreamStatus['destinations'][number] | null {
  return s.streams.find((x) => x.cameraId === cam)?.destinations.find((d) => d.id === id) ?? null;
}

function writeConfig(
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
      // Recording (a fourth ffmpeg per camera, segments indexed by the daemon) only with --record:
      // the figure of issue 3 is the relay to two destinations.
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
async function idleDaemonMemory(): Promise<{ rssMB: number; privateMB: number } | null> {
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

async function startGateway(config: string, socket: string): Promise<Gateway> {
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
// Measuring a window

interface Stream {
  ingest: Ingest;
  name: string;
}

interface WindowResult {
  seconds: number;
  cpuSeconds: number;
  /** Percent of one core. */
  cpuPercent: number;
  processes: number;
  vanished: number;
  /** Mean over the samples taken in the window. */
  privateMB: number;
  rssMB: number;
  /** The daemon alone (gateway only). */
  daemonPrivateMB: number | null;
  daemonRssMB: number | null;
  /** The daemon's CPU split into user and system (kernel) time, percent of one core. */
  daemonUserPercent: number | null;
  daemonSystemPercent: number | null;
  rigPercent: number;
  ingestsPercent: number;
  /** Everything else on the machine (this bench, kernel threads, other users), percent of one core. */
  otherPercent: number;
  /** Time the whole machine spent in softirq (loopback packet processing among it), percent of one core. */
  softirqPercent: number;
  /** Lowest delivered frame rate over the streams, per ingest kind. */
  minFps: Record<'rtmp' | 'rtsp', number>;
  /** Streams whose frame count did not grow. */
  notGrowing: string[];
  /** CPU (% of one core) and private memory (MB, at the end) per kind of process. */
  breakdown: { kind: string; processes: number; cpuPercent: number; privateMB: number }[];
}

async function framesOf(streams: Stream[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of streams) out.push(await s.ingest.framesReceived(s.name));
  return out;
}

async function measureWindow(opts: {
  seconds: number;
  pids: () => number[];
  daemonPid: number | null;
  streams: Stream[];
  rig: CameraRig;
  ingests: Ingest[];
  classify: (pid: number) => string;
}): Promise<WindowResult> {
  const ingestPids = () => opts.ingests.map((i) => i.pid).filter((p): p is number => p !== null);
  const frames0 = await framesOf(opts.streams);
  const t0 = now();
  const mach0 = machineTicks();
  const cpu = new CpuWindow(opts.pids());
  const daemon0 = opts.daemonPid === null ? null : userSystem(opts.daemonPid);
  const rigCpu = new CpuWindow(opts.rig.pids());
  const ingestCpu = new CpuWindow(ingestPids());
  const mem: { sum: ReturnType<typeof sumMemory>; daemon: ReturnType<typeof memoryOf> }[] = [];
  const sampleMemory = () =>
    mem.push({
      sum: sumMemory(opts.pids()),
      daemon: opts.daemonPid === null ? null : memoryOf(opts.daemonPid),
    });
  // Memory samples at the start, every 10 s and at the end; nothing else runs here meanwhile.
  const end = t0 + opts.seconds * 1000;
  sampleMemory();
  while (now() < end - 10) {
    await sleep(Math.min(10_000, end - now()));
    sampleMemory();
  }
  const endPids = opts.pids();
  const used = cpu.end(endPids);
  const daemon1 = opts.daemonPid === null ? null : userSystem(opts.daemonPid);
  const rig = rigCpu.end(opts.rig.pids());
  const ing = ingestCpu.end(ingestPids());
  const mach1 = machineTicks();
  const elapsed = (now() - t0) / 1000;
  const kinds = new Map<string, { kind: string; processes: number; cpuPercent: number; privateMB: number }>();
  for (const [pid, cpuSeconds] of used.perPid) {
    const kind = opts.classify(pid);
    const k = kinds.get(kind) ?? { kind, processes: 0, cpuPercent: 0, privateMB: 0 };
    k.processes++;
    k.cpuPercent += (cpuSeconds / elapsed) * 100;
    k.privateMB += (memoryOf(pid)?.private ?? 0) / MB;
    kinds.set(kind, k);
  }
  const frames1 = await framesOf(opts.streams);

  const pct = (cpuSeconds: number) => (cpuSeconds / elapsed) * 100;
  const machineBusy = (mach1.busy - mach0.busy) / CLOCK_TICKS;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const daemonSamples = mem.map((m) => m.daemon).filter((m): m is NonNullable<typeof m> => m !== null);
  const minFps = { rtmp: Infinity, rtsp: Infinity };
  const notGrowing: string[] = [];
  opts.streams.forEach((s, i) => {
    const grown = frames1[i]! - frames0[i]!;
    if (grown <= 0) notGrowing.push(`${s.ingest.kind}:${s.name}`);
    minFps[s.ingest.kind] = Math.min(minFps[s.ingest.kind], grown / elapsed);
  });
  return {
    seconds: elapsed,
    cpuSeconds: used.cpuSeconds,
    cpuPercent: pct(used.cpuSeconds),
    processes: used.processes,
    vanished: used.vanished,
    privateMB: mean(mem.map((m) => m.sum.private)) / MB,
    rssMB: mean(mem.map((m) => m.sum.rss)) / MB,
    daemonPrivateMB: daemonSamples.length ? mean(daemonSamples.map((m) => m.private)) / MB : null,
    daemonRssMB: daemonSamples.length ? mean(daemonSamples.map((m) => m.rss)) / MB : null,
    daemonUserPercent: daemon0 && daemon1 ? pct(daemon1.user - daemon0.user) : null,
    daemonSystemPercent: daemon0 && daemon1 ? pct(daemon1.system - daemon0.system) : null,
    rigPercent: pct(rig.cpuSeconds),
    ingestsPercent: pct(ing.cpuSeconds),
    otherPercent: pct(machineBusy - used.cpuSeconds - rig.cpuSeconds - ing.cpuSeconds),
    softirqPercent: pct((mach1.softirq - mach0.softirq) / CLOCK_TICKS),
    minFps,
    notGrowing,
    breakdown: [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
  };
}

/** What a process of the gateway is: the daemon, a camera's ffmpeg (the pull and its tee), a recorder or a transcoder. */
function gatewayKind(daemonPid: number): (pid: number) => string {
  return (pid) => {
    if (pid === daemonPid) return 'daemon (node)';
    const cmd = commandLine(pid);
    if (/esbuild/.test(cmd)) return 'esbuild (tsx)';
    if (!/ffmpeg/.test(cmd)) return cmd.split(' ')[0] ?? 'other';
    if (/ -i rtsps?:\/\//.test(cmd)) return 'camera ffmpeg (pull + tee)';
    if (/ -f segment /.test(cmd)) return 'recorder ffmpeg';
    if (/ rtmps?:\/\/\S+$/.test(cmd)) return 'transcoding ffmpeg (RTMP)';
    if (/ rtsps?:\/\/\S+$/.test(cmd)) return 'transcoding ffmpeg (RTSP)';
    return 'other ffmpeg';
  };
}

/** Resolves with the seconds from t0 until every stream has frames at its ingest. */
async function firstFrames(streams: Stream[], t0: number, timeoutMs: number): Promise<number | null> {
  const pending = new Set(streams);
  const deadline = t0 + timeoutMs;
  while (pending.size > 0) {
    if (now() > deadline) return null;
    for (const s of [...pending]) if ((await s.ingest.framesReceived(s.name)) > 0) pending.delete(s);
    if (pending.size > 0) await sleep(250);
  }
  return (now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------------
// The gateway phase

interface StallResult {
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

interface GatewayResult {
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
function lastStderr(daemonLog: string, cameraId: string, destinationId: string): string {
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

async function measureStall(gw: Gateway, cams: Camera[], rtmp: Ingest, rtsp: Ingest): Promise<StallResult> {
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

async function gatewayPhase(
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
    if (restartsInWindow > 0) problems.push(`${restartsInWindow} ffmpeg restarts during the window`);
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

// ---------------------------------------------------------------------------------------------
// The baseline phase: one bare ffmpeg tee per camera, same outputs, same ingests, gateway stopped.

interface BaselineResult {
  window: WindowResult | null;
  spawnToFrames: number | null;
  problems: string[];
}

function baselineArgs(cam: Camera, rtmp: Ingest, rtsp: Ingest, recordDir: string | null): string[] {
  const name = `base-${cam.id}`;
  // With --record, the gateway recorder's output too: 4 s MPEG-TS segments, a CSV list, every packet flushed.
  const segments = recordDir
    ? `|[f=segment:segment_time=4:segment_format=mpegts:reset_timestamps=1:segment_list=${recordDir}/${name}.csv:` +
      `segment_list_type=csv:segment_format_options=flush_packets=1]${recordDir}/${name}-%06d.ts`
    : '';
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    cam.url,
    '-map',
    '0:v',
    '-c',
    'copy',
    '-f',
    'tee',
    `[f=flv]${rtmp.url(name)}|[f=rtsp:rtsp_transport=tcp]${rtsp.url(name)}${segments}`,
  ];
}

async function baselinePhase(
  dir: string,
  opts: Options,
  cams: Camera[],
  rig: CameraRig,
  rtmp: Ingest,
  rtsp: Ingest,
): Promise<BaselineResult> {
  const problems: string[] = [];
  const streams = cams.flatMap((c) => [
    { ingest: rtmp, name: `base-${c.id}` },
    { ingest: rtsp, name: `base-${c.id}` },
  ]);
  const t0 = now();
  let recordDir: string | null = null;
  if (opts.record) {
    recordDir = join(dir, 'base-rec');
    mkdirSync(recordDir, { recursive: true });
  }
  const procs: Managed[] = cams.map((c) => spawnManaged('ffmpeg', baselineArgs(c, rtmp, rtsp, recordDir)));
  const stopAll = () => Promise.all(procs.map((m) => terminate(m, 3000)));
  const unregister = onCleanup(stopAll);
  try {
    const spawnToFrames = await firstFrames(streams, t0, 120_000);
    if (spawnToFrames === null) problems.push('not every stream reached its ingests within 120 s');
    log(`baseline: frames at every ingest ${fmt(spawnToFrames)} s`);
    await sleep(opts.settleSeconds * 1000);
    log(`baseline: measuring ${opts.seconds} s`);
    const window = await measureWindow({
      seconds: opts.seconds,
      pids: () => procs.filter((m) => !m.exit()).flatMap((m) => processTree(m.pid)),
      daemonPid: null,
      streams,
      rig,
      ingests: [rtmp, rtsp],
      classify: () => 'ffmpeg -f tee',
    });
    const dead = procs.filter((m) => m.exit());
    if (dead.length > 0)
      problems.push(`${dead.length} baseline ffmpeg exited: ${dead[0]!.tail().slice(-300).trim()}`);
    return { window, spawnToFrames, problems };
  } finally {
    unregister();
    await stopAll();
  }
}

// ---------------------------------------------------------------------------------------------
// One camera count

interface Result {
  n: number;
  /** The rounds merged: means of the windows, medians of the start-up times, the last round's stall test. */
  gateway: GatewayResult;
  baseline: BaselineResult;
  /** CPU (% of one core) of each round's windows, and the camera rig's in each, its drift gauge. */
  rounds: {
    gateway: number | null;
    baseline: number | null;
    rigGateway: number | null;
    rigBaseline: number | null;
  }[];
  problems: string[];
}

/** One side's windows over the rounds as one: rates averaged, deliveries at their worst. */
function mergeWindows(ws: (WindowResult | null)[]): WindowResult | null {
  if (ws.some((w) => w === null) || ws.length === 0) return ws.find((w) => w !== null) ?? null;
  const ok = ws as WindowResult[];
  if (ok.length === 1) return ok[0]!;
  const mean = (f: (w: WindowResult) => number) => ok.reduce((a, w) => a + f(w), 0) / ok.length;
  const meanOrNull = (f: (w: WindowResult) => number | null) =>
    ok.every((w) => f(w) !== null) ? mean((w) => f(w)!) : null;
  return {
    ...ok.at(-1)!,
    seconds: ok.reduce((a, w) => a + w.seconds, 0),
    cpuSeconds: ok.reduce((a, w) => a + w.cpuSeconds, 0),
    cpuPercent: mean((w) => w.cpuPercent),
    vanished: ok.reduce((a, w) => a + w.vanished, 0),
    privateMB: mean((w) => w.privateMB),
    rssMB: mean((w) => w.rssMB),
    daemonPrivateMB: meanOrNull((w) => w.daemonPrivateMB),
    daemonRssMB: meanOrNull((w) => w.daemonRssMB),
    daemonUserPercent: meanOrNull((w) => w.daemonUserPercent),
    daemonSystemPercent: meanOrNull((w) => w.daemonSystemPercent),
    rigPercent: mean((w) => w.rigPercent),
    ingestsPercent: mean((w) => w.ingestsPercent),
    otherPercent: mean((w) => w.otherPercent),
    softirqPercent: mean((w) => w.softirqPercent),
    minFps: {
      rtmp: Math.min(...ok.map((w) => w.minFps.rtmp)),
      rtsp: Math.min(...ok.map((w) => w.minFps.rtsp)),
    },
    notGrowing: [...new Set(ok.flatMap((w) => w.notGrowing))],
  };
}

const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));

function mergeGateway(rs: GatewayResult[]): GatewayResult {
  return {
    window: mergeWindows(rs.map((r) => r.window)),
    runToSocket: median(rs.map((r) => r.runToSocket)),
    runToLive: medianOrNull(rs.map((r) => r.runToLive)),
    runToFrames: medianOrNull(rs.map((r) => r.runToFrames)),
    restartsInWindow: rs.reduce((a, r) => a + r.restartsInWindow, 0),
    restartsAtStart: rs.reduce((a, r) => a + r.restartsAtStart, 0),
    stall: rs.find((r) => r.stall)?.stall ?? null,
    problems: rs.flatMap((r, i) => r.problems.map((p) => (rs.length > 1 ? `round ${i + 1}: ${p}` : p))),
  };
}

function mergeBaseline(rs: BaselineResult[]): BaselineResult {
  return {
    window: mergeWindows(rs.map((r) => r.window)),
    spawnToFrames: medianOrNull(rs.map((r) => r.spawnToFrames)),
    problems: rs.flatMap((r, i) => r.problems.map((p) => (rs.length > 1 ? `round ${i + 1}: ${p}` : p))),
  };
}

async function benchCount(n: number, opts: Options, clip: string): Promise<Result> {
  const dir = join('/tmp', `egw-bench-relay-${process.pid}-n${n}`);
  mkdirSync(dir, { recursive: true });
  const unregisterDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const problems: string[] = [];
  log(`${n} camera(s): starting the camera rig and the two ingests`);
  const rig = await CameraRig.start(clip, n);
  const unregisterRig = onCleanup(() => rig.stop());
  // Recordings go to our dir (removed below), the nginx prefix to os.tmpdir() (TMPDIR is /tmp here).
  const [rtmp, rtsp] = await Promise.all([
    startRtmpIngest({ dir: join(dir, 'rtmp') }),
    startRtspIngest({ dir: join(dir, 'rtsp') }),
  ]);
  const unregisterIngests = onCleanup(() => Promise.all([rtmp.stop(), rtsp.stop()]));
  try {
    const gateways: GatewayResult[] = [];
    const baselines: BaselineResult[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      if (opts.rounds > 1) log(`${n} camera(s): round ${round} of ${opts.rounds}`);
      // The stall test ends the last gateway window only: it disturbs the ingests.
      const faults = opts.faults && round === opts.rounds;
      gateways.push(await gatewayPhase(dir, { ...opts, faults }, rig.cameras, rig, rtmp, rtsp));
      // Free the disk between windows: 2 ingests x N x ~0.5 MB/s add up.
      rmSync(join(dir, 'rec'), { recursive: true, force: true });
      for (const f of [join(dir, 'rtmp'), join(dir, 'rtsp')]) removeRecordings(f, () => true);
      baselines.push(await baselinePhase(dir, opts, rig.cameras, rig, rtmp, rtsp));
      rmSync(join(dir, 'base-rec'), { recursive: true, force: true });
      for (const f of [join(dir, 'rtmp'), join(dir, 'rtsp')]) removeRecordings(f, () => true);
    }
    problems.push(...rig.failures().map((f) => `camera rig process died: ${f}`));
    const rounds = gateways.map((g, i) => ({
      gateway: g.window?.cpuPercent ?? null,
      baseline: baselines[i]!.window?.cpuPercent ?? null,
      rigGateway: g.window?.rigPercent ?? null,
      rigBaseline: baselines[i]!.window?.rigPercent ?? null,
    }));
    return { n, gateway: mergeGateway(gateways), baseline: mergeBaseline(baselines), rounds, problems };
  } finally {
    unregisterIngests();
    await Promise.all([rtmp.stop(), rtsp.stop()]);
    unregisterRig();
    await rig.stop();
    unregisterDir();
    rmSync(dir, { recursive: true, force: true });
  }
}

function removeRecordings(dir: string, which: (name: string) => boolean): void {
  try {
    const out = execFileSync('find', [dir, '-maxdepth', '1', '-type', 'f']).toString().split('\n');
    for (const f of out.filter(Boolean)) if (which(f.slice(dir.length + 1))) rmSync(f, { force: true });
  } catch {
    /* nothing recorded */
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const RATIO_TARGET = 1.1;
const DAEMON_MB_TARGET = 80;

function validity(r: Result): string[] {
  const out = [...r.problems, ...r.gateway.problems.map((p) => `gateway: ${p}`)];
  out.push(...r.baseline.problems.map((p) => `baseline: ${p}`));
  for (const [who, w] of [
    ['gateway', r.gateway.window],
    ['baseline', r.baseline.window],
  ] as const) {
    if (!w) out.push(`${who}: no measurement`);
    else if (w.notGrowing.length > 0) out.push(`${who}: no frames grew for ${w.notGrowing.join(', ')}`);
  }
  return out;
}

function printCount(r: Result, opts: Options): void {
  const g = r.gateway.window;
  const b = r.baseline.window;
  const ratio = g && b ? g.cpuPercent / b.cpuPercent : NaN;
  const invalid = validity(r);
  console.log(
    `\n== ${r.n} camera(s) x 2 destinations (RTMP + RTSP)${opts.record ? ' + local 4 s segments' : ''}, ` +
      `1080p25 ~4 Mbit/s, ${opts.rounds > 1 ? `${opts.rounds} rounds of ` : ''}${opts.seconds} s windows ==`,
  );
  console.log(
    table([
      ['', 'gateway', 'baseline', 'gateway/baseline'],
      ['CPU, % of one core', fmt(g?.cpuPercent), fmt(b?.cpuPercent), fmt(ratio, 2)],
      [
        'private memory, MB',
        fmt(g?.privateMB),
        fmt(b?.privateMB),
        fmt(g && b ? g.privateMB / b.privateMB : NaN, 2),
      ],
      [
        'ffmpeg only (daemon left out), % core',
        fmt(g ? g.cpuPercent - (g.daemonUserPercent ?? 0) - (g.daemonSystemPercent ?? 0) : NaN),
        fmt(b?.cpuPercent),
        fmt(
          g && b
            ? (g.cpuPercent - (g.daemonUserPercent ?? 0) - (g.daemonSystemPercent ?? 0)) / b.cpuPercent
            : NaN,
          2,
        ),
      ],
      ['processes measured', String(g?.processes ?? '-'), String(b?.processes ?? '-'), ''],
      [
        'daemon alone: CPU user/system, %',
        g ? `${fmt(g.daemonUserPercent)}/${fmt(g.daemonSystemPercent)}` : '-',
        '',
        '',
      ],
      ['daemon alone: RSS, MB', fmt(g?.daemonRssMB), '', ''],
      ['daemon alone: private, MB', fmt(g?.daemonPrivateMB), '', ''],
      [
        'lowest fps delivered (rtmp/rtsp)',
        g ? `${fmt(g.minFps.rtmp)}/${fmt(g.minFps.rtsp)}` : '-',
        b ? `${fmt(b.minFps.rtmp)}/${fmt(b.minFps.rtsp)}` : '-',
        '',
      ],
      ['start to frames at every ingest, s', fmt(r.gateway.runToFrames), fmt(r.baseline.spawnToFrames), ''],
      ['run to all streams live (status), s', fmt(r.gateway.runToLive), '', ''],
      [
        'ffmpeg restarts before / in the window',
        `${r.gateway.restartsAtStart}/${r.gateway.restartsInWindow}`,
        '',
        '',
      ],
      ['machine softirq, % core', fmt(g?.softirqPercent), fmt(b?.softirqPercent), ''],
      [
        'camera rig / ingests / rest, % core',
        g ? `${fmt(g.rigPercent, 0)}/${fmt(g.ingestsPercent, 0)}/${fmt(g.otherPercent, 0)}` : '-',
        b ? `${fmt(b.rigPercent, 0)}/${fmt(b.ingestsPercent, 0)}/${fmt(b.otherPercent, 0)}` : '-',
        '',
      ],
    ]),
  );
  if (r.rounds.length > 1) {
    const ratio2 = (a: number | null, b: number | null) => (a !== null && b ? fmt(a / b, 2) : '-');
    console.log(
      `per round, gateway/baseline CPU: ${r.rounds.map((x) => ratio2(x.gateway, x.baseline)).join(', ')}; ` +
        `the camera rig's own CPU in the gateway's window / in the baseline's (same work, so the drift of the machine): ` +
        `${r.rounds.map((x) => ratio2(x.rigGateway, x.rigBaseline)).join(', ')}`,
    );
  }
  if (g) {
    console.log(
      `gateway by process: ${g.breakdown
        .map((k) => `${k.kind} x${k.processes} ${fmt(k.cpuPercent)} % / ${fmt(k.privateMB)} MB`)
        .join('; ')}`,
    );
  }
  const st = r.gateway.stall;
  if (st) {
    console.log(
      `stall -> restart (${st.method} of the RTSP ingest, default relay settings, stallSeconds 10): ` +
        `restart after ${fmt(median(st.restart))} s (median of ${st.restart.length}/${st.cameras}, ` +
        `${fmt(Math.min(...st.restart))}-${fmt(Math.max(...st.restart))}), fault lifted at ${fmt(st.liftedAt)} s, ` +
        `live again ${fmt(median(st.live))} s after the fault (median of ${st.live.length}/${st.cameras}); ` +
        `RTMP destination ${st.othersUnaffected ? 'kept receiving every camera' : 'INTERRUPTED'}, ` +
        `${st.otherRestarts} restart(s) there`,
    );
    if (st.stragglers.length > 0) console.log(`not live again within 60 s: ${st.stragglers.join('; ')}`);
  }
  console.log(
    invalid.length === 0
      ? 'valid: every stream grew at both ingests in both windows'
      : `INVALID: ${invalid.join('; ')}`,
  );
}

function printSummary(results: Result[]): void {
  console.log('\n== summary ==');
  console.log(`daemon: ${entry?.describe ?? 'unknown'}`);
  const rows = [
    [
      'cameras',
      'gw CPU %',
      'base CPU %',
      'ratio',
      'gw priv MB',
      'base priv MB',
      'daemon RSS MB',
      'daemon priv MB',
      'run->live s',
      'stall->restart s',
      'stall->live s',
      'valid',
    ],
  ];
  for (const r of results) {
    const g = r.gateway.window;
    const b = r.baseline.window;
    rows.push([
      String(r.n),
      fmt(g?.cpuPercent),
      fmt(b?.cpuPercent),
      fmt(g && b ? g.cpuPercent / b.cpuPercent : NaN, 2),
      fmt(g?.privateMB),
      fmt(b?.privateMB),
      fmt(g?.daemonRssMB),
      fmt(g?.daemonPrivateMB),
      fmt(r.gateway.runToLive),
      r.gateway.stall ? fmt(median(r.gateway.stall.restart)) : '-',
      r.gateway.stall ? fmt(median(r.gateway.stall.live)) : '-',
      validity(r).length === 0 ? 'yes' : 'NO',
    ]);
  }
  console.log(table(rows));

  console.log('\ntargets:');
  for (const r of results) {
    const g = r.gateway.window;
    const b = r.baseline.window;
    if (!g || !b) continue;
    const ratio = g.cpuPercent / b.cpuPercent;
    console.log(
      `  ${String(r.n).padStart(2)} camera(s): CPU ratio ${fmt(ratio, 2)} ${ratio <= RATIO_TARGET ? '<=' : '>'} ${RATIO_TARGET}: ` +
        `${ratio <= RATIO_TARGET ? 'met' : `NOT met (${fmt((ratio / RATIO_TARGET - 1) * 100, 0)} % over the target)`}`,
    );
  }
  const r16 = results.find((r) => r.n === 16)?.gateway.window;
  if (!r16 || r16.daemonRssMB === null || r16.daemonPrivateMB === null) {
    console.log('  daemon memory at 16 cameras: not measured (16 is not in --cameras)');
  } else {
    const verdict = (mb: number) => (mb < DAEMON_MB_TARGET ? 'met' : 'NOT met');
    console.log(
      `  daemon memory at 16 cameras < ${DAEMON_MB_TARGET} MB: RSS ${fmt(r16.daemonRssMB)} MB (${verdict(r16.daemonRssMB)}), ` +
        `private ${fmt(r16.daemonPrivateMB)} MB (${verdict(r16.daemonPrivateMB)})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  process.env.TMPDIR = '/tmp'; // the ingests' temp dirs (nginx prefix) go under /tmp, nowhere else
  const t0 = now();
  const m = machine();
  console.log(`relay bench: ${m.cores} cores, ${m.model}; ${m.ffmpeg}; node ${m.node}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  entry = daemonEntry({ tsx: opts.tsx, log });
  console.log(`daemon: ${entry.describe}`);
  const idle = await idleDaemonMemory();
  console.log(
    `daemon with no camera (5 s after start): RSS ${fmt(idle?.rssMB)} MB, private ${fmt(idle?.privateMB)} MB`,
  );
  const clip = await ensureClip();
  console.log(
    `clip: ${clip.file} (${clip.encoded ? 'encoded now' : 'cached'}), ${fmt(clip.seconds)} s, ${clip.kbps} kbit/s ` +
      `(MPEG-TS, libx264 ultrafast 1920x1080 25 fps, GOP 50)`,
  );
  console.log(
    `cameras ${opts.cameras.join(',')}; ${opts.rounds} round(s) per count of a ${opts.seconds} s window after a ` +
      `${opts.settleSeconds} s settle, gateway then baseline (gateway stopped); local recording ${opts.record ? 'ON in both' : 'off'}`,
  );
  const results: Result[] = [];
  for (const n of opts.cameras) {
    const r = await benchCount(n, opts, clip.file);
    printCount(r, opts);
    results.push(r);
  }
  printSummary(results);
  console.log(`\ntotal time ${fmt((now() - t0) / 1000, 0)} s`);
  return results.every((r) => validity(r).length === 0) ? 0 : 1;
}

main().then(
  async (code) => {
    await runCleanups();
    process.exit(code);
  },
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await runCleanups();
    process.exit(1);
  },
);
