// bench:relay: measuring one window of the gateway or of the baseline (CPU, memory, delivery).
import { type Ingest } from '../../test/ingest/index.ts';
import { CameraRig } from './camera-rig.ts';
import {
  CLOCK_TICKS,
  commandLine,
  CpuWindow,
  machineTicks,
  memoryOf,
  sumMemory,
  userSystem,
} from './proc.ts';
import { sleep, now, MB } from './harness.ts';

// ---------------------------------------------------------------------------------------------
// Measuring a window

export interface Stream {
  ingest: Ingest;
  name: string;
}

export interface WindowResult {
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
  /**
   * The daemon with everything it runs that is not an ffmpeg (its ss shell and the ss it runs,
   * any child it reaped), percent of one core: what the daemon's target is judged by.
   */
  daemonAllPercent: number | null;
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

export async function framesOf(streams: Stream[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of streams) out.push(await s.ingest.framesReceived(s.name));
  return out;
}

export async function measureWindow(opts: {
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
    const family = s.ingest.kind.startsWith('rtmp') ? 'rtmp' : 'rtsp'; // the bench's ingests: RTMP and RTSP
    minFps[family] = Math.min(minFps[family], grown / elapsed);
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
    daemonAllPercent:
      opts.daemonPid === null
        ? null
        : [...kinds.values()].filter((k) => !/ffmpeg/.test(k.kind)).reduce((a, k) => a + k.cpuPercent, 0),
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
export function gatewayKind(daemonPid: number): (pid: number) => string {
  return (pid) => {
    if (pid === daemonPid) return 'daemon (node)';
    const cmd = commandLine(pid);
    if (/esbuild/.test(cmd)) return 'esbuild (tsx)';
    // The relay's long-lived shell for the TCP table (src/relay/ss-shell.ts), its ss runs reaped by it.
    if (cmd.includes('#ss-end')) return 'ss shell (sh + ss)';
    if (!/ffmpeg/.test(cmd)) return cmd.split(' ')[0] ?? 'other';
    if (/ -i rtsps?:\/\//.test(cmd)) return 'camera ffmpeg (pull + tee)';
    if (/ -f segment /.test(cmd)) return 'recorder ffmpeg';
    if (/ rtmps?:\/\/\S+$/.test(cmd)) return 'transcoding ffmpeg (RTMP)';
    if (/ rtsps?:\/\/\S+$/.test(cmd)) return 'transcoding ffmpeg (RTSP)';
    return 'other ffmpeg';
  };
}

/** Resolves with the seconds from t0 until every stream has frames at its ingest. */
export async function firstFrames(streams: Stream[], t0: number, timeoutMs: number): Promise<number | null> {
  const pending = new Set(streams);
  const deadline = t0 + timeoutMs;
  while (pending.size > 0) {
    if (now() > deadline) return null;
    for (const s of [...pending]) if ((await s.ingest.framesReceived(s.name)) > 0) pending.delete(s);
    if (pending.size > 0) await sleep(250);
  }
  return (now() - t0) / 1000;
}
