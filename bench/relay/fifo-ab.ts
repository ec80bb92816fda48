// What the fifo (the per-destination isolation) costs, and what keeping each camera's process on one
// CPU under SCHED_BATCH (relay.cpuPinning, src/relay/cpu-placement.ts) wins back: the gateway's
// camera command placed as the daemon places it, unplaced, and without `-use_fifo 1`, beside a bare
// tee, N cameras, rounds interleaved so drift hits all variants alike.
// With `record`, every variant also writes 4 s local segments (the gateway's segments slave, and
// the same slave without its fifo or without its parameter sets), as the daemon does by default.
// Usage: npm run bench:relay:fifo -- [cameras=16] [rounds=4] [seconds=20] [record]   (root not needed)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedCpus, CpuRoundRobin, placeProcess } from '../../src/relay/cpu-placement.ts';
import { cameraCommand, progressSeconds } from '../../src/relay/ffmpeg-args.ts';
import { detectFfmpeg } from '../../src/relay/ffmpeg-version.ts';
import { startRtmpIngest, startRtspIngest } from '../../test/ingest/index.ts';
import { CameraRig, ensureClip } from './camera-rig.ts';

const args = process.argv.slice(2);
const record = args.includes('record');
const [cams = 16, rounds = 4, seconds = 20] = args.filter((a) => a !== 'record').map(Number);
const spool = mkdtempSync(join(tmpdir(), 'egw-fifo-ab-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ticks = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

const clip = await ensureClip();
const rig = await CameraRig.start(clip.file, cams);
const [rtmp, rtsp] = await Promise.all([startRtmpIngest(), startRtspIngest()]);
const version = await detectFfmpeg();
const dirOf = (tag: string) => {
  const d = join(spool, tag);
  mkdirSync(d, { recursive: true });
  return d;
};
// The gateway's own camera command (fifo per destination), and the same without the fifo.
const gateway = (url: string, tag: string): string[] => {
  const cmd = cameraCommand({
    streamUri: url,
    slaves: [
      { kind: 'destination', url: rtmp.url(tag), protocol: 'rtmp', audio: false },
      { kind: 'destination', url: rtsp.url(tag), protocol: 'rtsp', audio: false },
      ...(record ? [{ kind: 'segments' as const, dir: dirOf(tag), runId: '1', segmentSeconds: 4 }] : []),
    ],
    audio: false,
    ioTimeoutSeconds: 5,
    version,
    progressSeconds: progressSeconds(10_000),
  });
  return [...cmd.inputOptions, '-i', cmd.input, ...cmd.outputOptions, cmd.output];
};
const withoutFifo = (args: string[]) => {
  const i = args.indexOf('-use_fifo');
  return [...args.slice(0, i), ...args.slice(i + 4)]; // -use_fifo 1 -fifo_options X
};
const segments = (tag: string) =>
  `|[f=segment:segment_time=4:segment_atclocktime=1:segment_format=mpegts:reset_timestamps=1:strftime=1:` +
  `segment_list=${dirOf(tag)}/b.csv:segment_list_type=csv:segment_format_options=flush_packets=1]${dirOf(tag)}/b-%s.ts`;
const bare = (url: string, tag: string) => [
  ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-rtsp_transport', 'tcp'],
  ...['-i', url, '-map', '0:v', '-c', 'copy', '-f', 'tee'],
  `[f=flv]${rtmp.url(tag)}|[f=rtsp:rtsp_transport=tcp]${rtsp.url(tag)}${record ? segments(tag) : ''}`,
];
/** The gateway's command with its segments slave's options changed. */
const segmentsSlave = (edit: (spec: string) => string) => (url: string, tag: string) =>
  gateway(url, tag).map((a) => (a.includes('[f=segment:') ? edit(a) : a));
const variants: { name: string; args: (url: string, tag: string) => string[]; placed?: boolean }[] = record
  ? [
      { name: 'bare tee', args: bare },
      { name: 'gateway command, placed', args: gateway, placed: true },
      {
        name: 'segments without fifo',
        args: segmentsSlave((a) => a.replace('[f=segment:', '[f=segment:use_fifo=0:')),
        placed: true,
      },
      {
        name: 'segments without dump_extra',
        args: segmentsSlave((a) => a.replace(':bsfs/v=dump_extra]', ']')),
        placed: true,
      },
    ]
  : [
      { name: 'bare tee', args: bare },
      { name: 'gateway command, placed', args: gateway, placed: true },
      { name: 'gateway command, unplaced', args: gateway },
      { name: 'gateway command, no fifo', args: (url, tag) => withoutFifo(gateway(url, tag)) },
    ];
const results = new Map<string, number[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const [vi, v] of variants.entries()) {
      const procs: ChildProcess[] = rig.cameras.map((c, i) =>
        spawn('ffmpeg', v.args(c.url, `ab${round}-${vi}-${i}`), { stdio: ['ignore', 'ignore', 'inherit'] }),
      );
      if (v.placed) {
        // As the relay manager does: cameras in turn over the CPUs this process may use.
        const cpus = new CpuRoundRobin(allowedCpus());
        await Promise.all(
          procs.map((p) => {
            const cpu = cpus.next();
            return cpu === null ? Promise.resolve(null) : placeProcess(p.pid!, cpu);
          }),
        );
      }
      await sleep(6000);
      const t0 = procs.map((p) => ticks(p.pid!));
      const w0 = Date.now();
      await sleep(seconds * 1000);
      const cpu = procs.reduce((a, p, i) => a + ticks(p.pid!) - t0[i]!, 0) / ((Date.now() - w0) / 1000);
      results.set(v.name, [...(results.get(v.name) ?? []), cpu]);
      console.log(`round ${round + 1}: ${v.name}: ${cpu.toFixed(1)} % of one core`);
      for (const p of procs) p.kill('SIGTERM');
      await sleep(1500);
      rmSync(spool, { recursive: true, force: true });
    }
  }
} finally {
  await Promise.allSettled([rtmp.stop(), rtsp.stop(), rig.stop()]);
  rmSync(spool, { recursive: true, force: true });
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const base = sum(results.get('bare tee') ?? [1]);
console.log(`\n${cams} cameras, ${rounds} rounds of ${seconds} s, CPU % of one core per round:`);
for (const [name, xs] of results)
  console.log(
    `${name.padEnd(28)} ${xs.map((x) => x.toFixed(1).padStart(5)).join(' ')}   ratio ${(sum(xs) / base).toFixed(2)}`,
  );
