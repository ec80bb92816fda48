// Relay figures (issues 3 and 16), each beside a baseline measured in the same run on the same rig:
//   1. CPU and private memory of the gateway (`edge-gateway run` plus all its ffmpeg children)
//      relaying N cameras of 1080p25 at ~4 Mbit/s to two destinations (RTMP and RTSP ingests) and
//      recording 4 s local segments, against one bare `ffmpeg -c copy -f tee` per camera producing
//      the same three outputs (--no-record: the two destinations only);
//   2. the time from `run` to every stream live, and from a destination's stall (its ingest port
//      black-holed) to its restart and to it being live again.
// The daemon is the production bundle run as the systemd unit runs it (its ExecStart's node
// flags), or the tsx source entry with --tsx. This file runs one camera count and the whole;
// options.ts, harness.ts, window.ts, gateway.ts (the gateway under test), baseline.ts and
// report.ts hold the parts. Run: npm run bench:relay [-- --cameras 8,16,32 --seconds 30
// --no-faults --no-record --tsx]. See bench/relay/README.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startRtmpIngest, startRtspIngest } from '../../test/ingest/index.ts';
import { CameraRig, ensureClip } from './camera-rig.ts';
import { daemonEntry } from './entry.ts';
import { type BaselineResult, baselinePhase } from './baseline.ts';
import { idleDaemonMemory, setEntry, type GatewayResult, gatewayPhase } from './gateway.ts';
import { onCleanup, runCleanups, now, fmt, median, log, machine } from './harness.ts';
import { type Options, parseOptions } from './options.ts';
import { validity, printCount, printSummary, type Result } from './report.ts';
import { type WindowResult } from './window.ts';

// ---------------------------------------------------------------------------------------------
// One camera count

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
    daemonAllPercent: meanOrNull((w) => w.daemonAllPercent),
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
    return {
      n,
      record: opts.record,
      gateway: mergeGateway(gateways),
      baseline: mergeBaseline(baselines),
      rounds,
      problems,
    };
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
  const chosen = daemonEntry({ tsx: opts.tsx, log });
  if (opts.cpuProfDir) {
    mkdirSync(opts.cpuProfDir, { recursive: true });
    chosen.args.unshift('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
    chosen.describe += ` (with --cpu-prof into ${opts.cpuProfDir})`;
  }
  setEntry(chosen);
  console.log(`daemon: ${chosen.describe}`);
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
  // The machine may be shared: say how loaded it was, beside each window's "rest" column.
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; total time ${fmt((now() - t0) / 1000, 0)} s`,
  );
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
