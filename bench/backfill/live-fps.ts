// Backfill figure (issue 4): the live relay's frame rate during backfill beside its rate without
// backfill, in the same run, uncapped and with backfill.maxKbps. Everything is real except the
// backlog: simulated cameras (GStreamer RTSP), the real daemon (`edge-gateway run`), an nginx-rtmp
// ingest as the live destination and the reference backfill receiver, all on loopback. Instead of
// waiting out a real outage, the daemon is stopped and its SQLite gets a closed outage with many
// 4 s segments (hard links to one real 1080p25 4 Mbit/s MPEG-TS clip); on restart backfill begins
// at once. Frame rate = frames the ingest recorded (framesReceived) per second over a window.
// Run: npm run bench:backfill:live [-- --seconds 20 --cameras 2 --cap 8000]. See bench/backfill/README.md.
// With --shaped-kbps the uplink is a shaped link (shaped-link.ts, as root) and the run compares
// backfill uncapped with backfill.adapt off against the same with it on (issue 15 item 6).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver, type Receiver } from '../../scripts/backfill-receiver.ts';
import type { GatewayStatus } from '../../src/core/status.ts';
import { sha256File } from '../../src/buffer/segment-files.ts';
import { killOrphans, ownerKeyFor } from '../../src/relay/orphans.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import { startRtmpIngest, type Ingest } from '../../test/ingest/index.ts';
import { startSite, type SimSite } from '../../test/sim/site.ts';
import { startDaemon, type Daemon } from '../../test/support/daemon.ts';
import { waitFor } from '../../test/support/wait.ts';
import { benchNamespace, rerunInNamespace, shapeUplink, uplinkCounters } from './shaped-link.ts';

const SEG_S = 4;
const DEST = 'central';
const TOKEN = 'bench-live-token';
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    cameras: { type: 'string', default: '2' },
    cap: { type: 'string', default: '8000' },
    backlog: { type: 'string', default: '2400' },
    'capped-backlog': { type: 'string', default: '60' },
    settle: { type: 'string', default: '5' },
    kbps: { type: 'string', default: '4000' },
    'shaped-kbps': { type: 'string' },
    'queue-ms': { type: 'string', default: '400' },
  },
});
const SHAPE = values['shaped-kbps']
  ? {
      kbps: Number(values['shaped-kbps']),
      queueMs: Number(values['queue-ms']),
    }
  : null;
// The shaped run happens in a namespace of its own: this process only starts it and cleans up.
if (SHAPE && !benchNamespace()) process.exit(await rerunInNamespace());
const W = Number(values.seconds);
const CAMERAS = Number(values.cameras);
const CAP = Number(values.cap);
const BACKLOG = Number(values.backlog);
const CAPPED_BACKLOG = Number(values['capped-backlog']);
const SETTLE_S = Number(values.settle);
const clipKbps = Number(values.kbps);
if (![W, CAMERAS, CAP, BACKLOG, CAPPED_BACKLOG, SETTLE_S, clipKbps].every((n) => Number.isFinite(n) && n > 0))
  throw new Error('every option must be a positive number');

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started here is stopped on success, failure, Ctrl-C or SIGTERM.

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];
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
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${sig}: stopping everything the bench started...`);
    void runCleanups().finally(() => process.exit(130));
  });
}

const loadAtStart = loadavg();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** One real segment, encoded once and cached under .tmp/ (the same clip as bench/backfill/run.ts). */
function clip(): string {
  const dir = join(process.cwd(), '.tmp', 'bench-backfill');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `clip-1080p-${clipKbps}k-${SEG_S}s.ts`);
  if (!existsSync(path)) {
    const k = `${clipKbps}k`;
    // testsrc2 plus noise so the encoder really spends its bitrate, as a camera scene would.
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25,noise=alls=30:allf=t', '-t', String(SEG_S),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50',
      '-b:v', k, '-minrate', k, '-maxrate', k, '-bufsize', `${clipKbps * 2}k`, '-x264-params', 'nal-hrd=cbr',
      '-f', 'mpegts', path,
    ]);
  }
  return path;
}

/** Host CPU counters (all cores), for the busy share over a window. */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds (user + system) a process has used; clock ticks are 100 Hz on Linux. */
function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A daemon process of ours that startDaemon gave up on (it does not kill it): find it by its config. */
function killDaemonChildren(config: string): void {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(config))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The rig

interface Rx {
  at: number; // request arrival, ms since epoch
  done: number; // answer, ms since epoch
  bytes: number;
  status: number | null;
  cameraId: string | undefined;
  startMs: number; // the segment's start (NaN when refused early)
}

const dir = mkdtempSync(join(tmpdir(), 'bench-backfill-live-'));
onCleanup(() => rmSync(dir, { recursive: true, force: true }));
const spool = join(dir, 'spool');
const dbPath = join(dir, 'gateway.db');
const socket = join(dir, 'status.sock');
const config = join(dir, 'gateway.yaml');
const owner = ownerKeyFor(socket);
const received: Rx[] = [];

const source = clip();
const clipBytes = statSync(source).size;
const clipBitrate = (clipBytes * 8) / SEG_S / 1000;
// The backlog's files are hard links to one copy on the spool's volume: no disk filled, and every
// upload still opens, hashes and streams a 2 MB file.
const master = join(dir, 'clip.ts');
copyFileSync(source, master);
const { sha256 } = await sha256File(master);

log(`starting ${CAMERAS} simulated camera(s), the RTMP ingest and the backfill receiver`);
const cameraIds = Array.from({ length: CAMERAS }, (_, i) => `cam-${i + 1}`);
const [site, rtmp, rx]: [SimSite, Ingest, Receiver] = await Promise.all([
  startSite({ cameras: cameraIds.map((id) => ({ id, personality: 'hikvision' as const })) }),
  startRtmpIngest(),
  startReceiver({
    dir: join(dir, 'received'),
    token: TOKEN,
    print: (line) => {
      const r = JSON.parse(line) as {
        at: string;
        status: number | null;
        bytes: number;
        cameraId?: string;
        start?: string;
        file?: string;
      };
      received.push({
        at: Date.parse(r.at),
        done: Date.now(),
        bytes: r.bytes,
        status: r.status,
        cameraId: r.cameraId,
        startMs: Date.parse(r.start ?? ''),
      });
      // The receiver stands in for a remote system: drop what it stored so the disk does not fill.
      if (r.file) rmSync(r.file, { force: true });
    },
  }),
]);
onCleanup(() => site.stop());
onCleanup(() => rtmp.stop());
onCleanup(() => rx.close());
const nominalFps = site.cameras.map((c) => c.profiles.find((p) => p.mount === 'main')?.fps ?? NaN);
const mainProfile = site.cameras[0]!.profiles.find((p) => p.mount === 'main')!;

function writeConfig(capKbps: number | null, adapt: boolean): void {
  writeFileSync(
    config,
    [
      'site: { id: bench, name: Backfill live fps bench }',
      'cameras:',
      ...site.cameras.map((c) => `  - { id: ${c.spec.id}, url: "${c.rtspUrl('main')}" }`),
      'destinations:',
      `  - id: ${DEST}`,
      `    url: "${rtmp.urlTemplate}"`,
      `    backfill: { url: "${rx.url}/v1/{siteId}/{cameraId}/{start}.ts", token: "\${BACKFILL_TOKEN}" }`,
      `relay: { statusSocket: ${socket}, stopTimeoutSeconds: 2 }`,
      `backfill: { retrySeconds: [1, 2], adapt: ${adapt}${capKbps === null ? '' : `, maxKbps: ${capKbps}`} }`,
      `recording: { dir: ${spool}, segmentSeconds: ${SEG_S}, minFreeMb: 1 }`,
      `store: { path: ${dbPath} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
      '',
    ].join('\n'),
  );
}

interface Running {
  d: Daemon;
  stop(): Promise<void>;
}

async function daemonUp(capKbps: number | null, adapt = true): Promise<Running> {
  writeConfig(capKbps, adapt);
  let d: Daemon | undefined;
  // startDaemon waits 30 s for the status socket; a loaded host can miss that once. It does not
  // kill a daemon it gave up on: find it by its config and kill it, with any ffmpeg it started.
  for (let attempt = 1; !d; attempt++) {
    try {
      d = await startDaemon(config, socket, { BACKFILL_TOKEN: TOKEN });
    } catch (e) {
      killDaemonChildren(config);
      killOrphans(owner);
      if (attempt >= 2) throw e;
      log(`the daemon was slow to start (${(e as Error).message.split('\n')[0]}); once more`);
    }
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const t = setTimeout(() => d.proc.kill('SIGKILL'), 20_000);
    await d.stop();
    clearTimeout(t);
    const left = killOrphans(owner);
    if (left.length) log(`the daemon left ${left.length} ffmpeg process(es); killed`);
  };
  const unregister = onCleanup(stop);
  return {
    d,
    stop: async () => {
      unregister();
      await stop();
    },
  };
}

const allLive = (s: GatewayStatus) =>
  cameraIds.every((id) => {
    const st = s.streams.find((x) => x.cameraId === id);
    return st?.state === 'live' && st.destinations.find((x) => x.id === DEST)?.state === 'live';
  });

async function waitLive(r: Running): Promise<void> {
  await waitFor(
    async () => allLive(await r.d.status()),
    `every camera live to ${DEST}\n${r.d.log().slice(-3000)}`,
    90_000,
    250,
  );
  // Frames must be arriving at the ingest, then let the stream settle.
  const f0 = await frames();
  await waitFor(async () => (await frames()) > f0 + 10 * CAMERAS, 'frames at the ingest', 30_000, 250);
  await sleep(SETTLE_S * 1000);
}

async function frames(): Promise<number> {
  let n = 0;
  for (const id of cameraIds) n += await rtmp.framesReceived(id);
  return n;
}

const restarts = (s: GatewayStatus) =>
  s.streams.reduce(
    (n, st) => n + st.restartsLastHour + st.destinations.reduce((m, x) => m + x.restartsLastHour, 0),
    0,
  );

// ---------------------------------------------------------------------------------------------
// Backlog: a closed outage of (camera, central) covering `count` segments, spread over the cameras.

let batch = 0;
function insertBacklog(count: number, endMs: number): { startMs: number; endMs: number; count: number } {
  const tag = ++batch;
  const perCamera = Math.ceil(count / CAMERAS);
  const startMs = endMs - perCamera * SEG_S * 1000;
  const db = openStore(dbPath);
  try {
    const repo = new SpoolRepo(db);
    // The daemon closes outages left open by a stop at its next start; do it first so ours is its own row.
    repo.closeAllOpen(Date.now());
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const cameraId = cameraIds[i % CAMERAS]!;
        const camDir = join(spool, cameraId);
        mkdirSync(camDir, { recursive: true });
        const path = join(camDir, `backlog-${tag}-${String(i).padStart(5, '0')}.ts`);
        linkSync(master, path);
        const s = startMs + Math.floor(i / CAMERAS) * SEG_S * 1000;
        repo.addSegment({
          cameraId,
          path,
          startMs: s,
          endMs: s + SEG_S * 1000,
          bytes: clipBytes,
          sha256,
          recovered: false,
        });
      }
    })();
    for (const cameraId of cameraIds) {
      if (!repo.openOutage(cameraId, DEST, 'uplink', startMs))
        throw new Error(`an outage of ${cameraId} is open`);
      repo.closeOutage(cameraId, DEST, endMs);
    }
  } finally {
    db.close();
  }
  return { startMs, endMs, count };
}

// ---------------------------------------------------------------------------------------------
// One measurement window

interface Window {
  label: string;
  capKbps: number | null;
  seconds: number;
  truncated: boolean;
  fpsPerCamera: number;
  min1sFps: number;
  backfillKbps: number;
  xRealTime: number;
  cpuBusy: number;
  /** Share of one core used by the daemon's Node process (the uploads; the relay itself is ffmpeg). */
  daemonCpu: number;
  /** Share of one core used by this process: mostly the receiver hashing and storing. */
  receiverCpu: number;
  restarts: number;
  segmentsAnswered: number;
  /** Frames at the ingest over what the camera sent at its nominal rate. */
  vsCamera: number;
  /** Times backfill's pace backed off for live during the window. */
  paceBackoffs: number;
  /** Packets the shaped uplink's queue dropped during the window (null: not shaped). */
  uplinkDropped: number | null;
  /** kbit/s through the shaped uplink during the window, live and backfill (null: not shaped). */
  uplinkKbps: number | null;
}

/** Body bytes the receiver took during [from, to]: each request's bytes spread evenly over its life. */
function bytesBetween(from: number, to: number): number {
  let b = 0;
  for (const r of received) {
    if (r.status === null || r.status >= 300) continue;
    const span = Math.max(1, r.done - r.at);
    const overlap = Math.min(to, r.done) - Math.max(from, r.at);
    if (overlap > 0) b += (r.bytes * Math.min(overlap, span)) / span;
  }
  return b;
}

async function measure(
  r: Running,
  label: string,
  capKbps: number | null,
  backlogDone?: () => boolean,
): Promise<Window> {
  log(`measuring "${label}" for ${W} s`);
  const s0 = await r.d.status();
  const u0 = SHAPE ? uplinkCounters() : null;
  const cpu0 = cpuTicks();
  const d0 = procCpuSeconds(r.d.proc.pid);
  const b0 = process.cpuUsage();
  const t0 = Date.now();
  const f0 = await frames();
  let last = { t: t0, f: f0 };
  let min1s = Infinity;
  let truncated = false;
  while (Date.now() - t0 < W * 1000) {
    await sleep(Math.min(1000, W * 1000 - (Date.now() - t0)));
    const f = await frames();
    const t = Date.now();
    if (t - last.t >= 900) {
      min1s = Math.min(min1s, (f - last.f) / ((t - last.t) / 1000) / CAMERAS);
      last = { t, f };
    }
    // A window "with backfill" ends early if the backlog ran out: then it would no longer be one.
    if (backlogDone?.() && t - t0 < W * 1000) {
      truncated = true;
      break;
    }
  }
  const t1 = Date.now();
  const f1 = await frames();
  const cpu1 = cpuTicks();
  const d1 = procCpuSeconds(r.d.proc.pid);
  const b1 = process.cpuUsage(b0);
  const s1 = await r.d.status();
  const u1 = SHAPE ? uplinkCounters() : null;
  // Uploads in flight at the end of the window answer later; wait for them (at most one per camera).
  if (backlogDone) {
    await waitFor(
      () => backlogDone() || cameraIds.every((id) => received.some((x) => x.cameraId === id && x.at > t1)),
      'the uploads in flight at the end of the window',
      // On a shaped uplink one segment can take tens of seconds.
      SHAPE ? 180_000 : 30_000,
      100,
    );
  }
  const seconds = (t1 - t0) / 1000;
  const bytes = bytesBetween(t0, t1);
  return {
    label,
    capKbps,
    seconds,
    truncated,
    fpsPerCamera: (f1 - f0) / seconds / CAMERAS,
    min1sFps: min1s,
    backfillKbps: (bytes * 8) / seconds / 1000,
    xRealTime: ((bytes / clipBytes) * SEG_S) / seconds,
    cpuBusy: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
    daemonCpu: (100 * (d1 - d0)) / seconds,
    receiverCpu: (b1.user + b1.system) / 1e4 / seconds,
    restarts: restarts(s1) - restarts(s0),
    segmentsAnswered: received.filter((x) => x.done >= t0 && x.done <= t1).length,
    vsCamera: (f1 - f0) / seconds / CAMERAS / nominalFps[0]!,
    paceBackoffs: (s1.backfill?.paceBackoffs ?? 0) - (s0.backfill?.paceBackoffs ?? 0),
    uplinkDropped: u0 && u1 ? u1.dropped - u0.dropped : null,
    uplinkKbps: u0 && u1 ? ((u1.sentBytes - u0.sentBytes) * 8) / seconds / 1000 : null,
  };
}

/** Every segment of a backlog (by its time range) has been stored by the receiver. */
const drained = (b: { startMs: number; endMs: number; count: number }) => (): boolean =>
  new Set(
    received
      .filter((x) => x.status !== null && x.status < 300 && x.startMs >= b.startMs && x.startMs < b.endMs)
      .map((x) => `${x.cameraId}@${x.startMs}`),
  ).size >= b.count;

// ---------------------------------------------------------------------------------------------
// The shaped run: no backfill, then one backlog sent uncapped without adaptation, then with it.

async function shapedRun(benchStart: number): Promise<void> {
  const shape = SHAPE!;
  const qdisc = shapeUplink([rtmp.port, Number(new URL(rx.url).port)], shape);
  log(`uplink shaped (to the ingest and the receiver):\n${qdisc}`);
  let r = await daemonUp(null, true);
  await waitLive(r);
  windows.push(await measure(r, 'no backfill', null));
  await r.stop();
  const backlog = drained(insertBacklog(BACKLOG, benchStart - 3_600_000));
  log(
    `inserted ${BACKLOG} segments (${((BACKLOG * clipBytes) / 1e6).toFixed(1)} MB); backfill uncapped, adapt off`,
  );
  r = await daemonUp(null, false);
  await waitLive(r);
  windows.push(await measure(r, 'uncapped, adapt off', null, backlog));
  await r.stop();
  if (backlog()) throw new Error('the backlog drained before the adaptive window: raise --backlog');
  log('the rest of the backlog with backfill.adapt on');
  r = await daemonUp(null, true);
  await waitLive(r);
  windows.push(await measure(r, 'uncapped, adapt on', null, backlog));
  await r.stop();
}

// ---------------------------------------------------------------------------------------------
// The run

const windows: Window[] = [];
let failed = false;
try {
  const benchStart = Date.now();
  if (SHAPE) await shapedRun(benchStart);
  else await loopbackRun(benchStart);
} catch (e) {
  failed = true;
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  await runCleanups();
}

async function loopbackRun(benchStart: number): Promise<void> {
  // 1. Uncapped daemon, nothing owed: the reference rate.
  log('daemon (uncapped config), no backlog');
  let r = await daemonUp(null);
  await waitLive(r);
  const before = received.length;
  windows.push(await measure(r, 'no backfill (before)', null));
  if (received.length !== before)
    log(`note: the receiver got ${received.length - before} request(s) during the reference window`);
  await r.stop();

  // 2. A large backlog, uncapped.
  const big = drained(insertBacklog(BACKLOG, benchStart - 3_600_000));
  log(
    `inserted ${BACKLOG} segments (${((BACKLOG * clipBytes) / 1e9).toFixed(2)} GB, ${BACKLOG * SEG_S} s of video); restarting the daemon`,
  );
  r = await daemonUp(null);
  await waitLive(r);
  if (big()) throw new Error('the uncapped backlog drained before the relay was live: raise --backlog');
  windows.push(await measure(r, 'uncapped backfill', null, big));
  log('waiting for the backlog to drain');
  await waitFor(big, 'the uncapped backlog to drain', 180_000, 250);
  await sleep(SETTLE_S * 1000);
  // 3. Same daemon, backlog gone: the reference again, after the restart the backfill windows had.
  windows.push(await measure(r, 'no backfill (after drain)', null));
  await r.stop();

  // 4. A backlog under the cap.
  const small = drained(insertBacklog(CAPPED_BACKLOG, benchStart - 2 * 3_600_000 - BACKLOG * SEG_S * 1000));
  log(`inserted ${CAPPED_BACKLOG} segments; restarting the daemon with backfill.maxKbps ${CAP}`);
  r = await daemonUp(CAP);
  await waitLive(r);
  if (small())
    throw new Error('the capped backlog drained before the relay was live: raise --capped-backlog');
  windows.push(await measure(r, `backfill capped ${CAP} kbps`, CAP, small));
  await r.stop();
}

// ---------------------------------------------------------------------------------------------
// The table

if (windows.length > 0) {
  const refs = windows.filter((w) => w.label.startsWith('no backfill'));
  const ref = refs.reduce((a, w) => a + w.fpsPerCamera, 0) / refs.length;
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `live relay fps during backfill, ${SHAPE ? `uplink shaped to ${SHAPE.kbps} kbit/s (tbf, queue ${SHAPE.queueMs} ms)` : 'loopback'}, ${cpus().length} cores, Node ${process.versions.node}; ` +
      `${CAMERAS} simulated camera(s) ${mainProfile.width}x${mainProfile.height} at nominal ${[...new Set(nominalFps)].join('/')} fps ` +
      `relayed (copy) to nginx-rtmp; backlog segments ${SEG_S} s 1080p25 H.264 at ${clipBitrate.toFixed(0)} kbit/s; window ${W} s`,
  );
  console.log(
    `${pad('window', 28)}${pad('s', 6)}${pad('fps/cam', 9)}${pad('min 1s', 8)}${pad('vs ref', 8)}${pad('backfill kbit/s', 17)}${pad('x real time', 13)}${pad('daemon CPU', 12)}${pad('receiver CPU', 14)}${pad('host busy', 11)}${pad('relay restarts', 16)}${pad('vs camera', 11)}${pad('pace cuts', 11)}${pad('uplink drops', 14)}uplink kbit/s`,
  );
  for (const w of windows) {
    console.log(
      `${pad(w.label, 28)}${pad(w.seconds.toFixed(1) + (w.truncated ? '*' : ''), 6)}${pad(w.fpsPerCamera.toFixed(2), 9)}${pad(w.min1sFps.toFixed(1), 8)}${pad((w.fpsPerCamera / ref).toFixed(3), 8)}${pad(w.backfillKbps.toFixed(0), 17)}${pad(w.xRealTime.toFixed(1), 13)}${pad(w.daemonCpu.toFixed(0) + ' %', 12)}${pad(w.receiverCpu.toFixed(0) + ' %', 14)}${pad(w.cpuBusy.toFixed(0) + ' %', 11)}${pad(String(w.restarts), 16)}${pad(w.vsCamera.toFixed(3), 11)}${pad(String(w.paceBackoffs), 11)}${pad(String(w.uplinkDropped ?? '-'), 14)}${w.uplinkKbps?.toFixed(0) ?? '-'}`,
    );
  }
  if (windows.some((w) => w.truncated))
    console.log('* the backlog drained before the window ended: the window was cut there');
  console.log(
    `vs ref: fps over the mean of the no-backfill windows (${ref.toFixed(2)} fps per camera); vs camera: over the nominal ${nominalFps[0]} fps`,
  );
  console.log(
    `CPU: % of one core (daemon: the gateway's Node process; receiver: this bench process); host busy: % of all ${cpus().length} cores, ` +
      `including anything else running (load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')})`,
  );
  console.log(
    JSON.stringify({
      loadAtStart,
      nominalFps,
      clipKbps: Math.round(clipBitrate),
      cameras: CAMERAS,
      windowS: W,
      shape: SHAPE,
      windows,
    }),
  );
}
process.exitCode = failed ? 1 : 0;
