// What the fifo (the per-destination isolation) costs, and what keeping each camera's process on one
// CPU under SCHED_BATCH (relay.cpuPinning, src/relay/cpu-placement.ts) wins back: the gateway's
// camera command placed as the daemon places it, unplaced, and without `-use_fifo 1`, beside a bare
// tee, N cameras, rounds interleaved so drift hits all variants alike.
// Usage: npm run bench:relay:fifo -- [cameras=16] [rounds=4] [seconds=20]   (root not needed)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { allowedCpus, CpuRoundRobin, placeProcess } from '../../src/relay/cpu-placement.ts';
import { cameraCommand, progressSeconds } from '../../src/relay/ffmpeg-args.ts';
import { detectFfmpeg } from '../../src/relay/ffmpeg-version.ts';
import { startRtmpIngest, startRtspIngest } from '../../test/ingest/index.ts';
import { CameraRig, ensureClip } from './camera-rig.ts';

const [cams = 16, rounds = 4, seconds = 20] = process.argv.slice(2).map(Number);
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
// The gateway's own camera command (fifo per destination), and the same without the fifo.
const gateway = (url: string, tag: string): string[] => {
  const cmd = cameraCommand({
    streamUri: url,
    slaves: [
      { kind: 'destination', url: rtmp.url(tag), protocol: 'rtmp', audio: false },
      { kind: 'destination', url: rtsp.url(tag), protocol: 'rtsp', audio: false },
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
const bare = (url: string, tag: string) => [
  ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-rtsp_transport', 'tcp'],
  ...['-i', url, '-map', '0:v', '-c', 'copy', '-f', 'tee'],
  `[f=flv]${rtmp.url(tag)}|[f=rtsp:rtsp_transport=tcp]${rtsp.url(tag)}`,
];
const variants: { name: string; args: (url: string, tag: string) => string[]; placed?: boolean }[] = [
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
    }
  }
} finally {
  await Promise.allSettled([rtmp.stop(), rtsp.stop(), rig.stop()]);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const base = sum(results.get('bare tee') ?? [1]);
console.log(`\n${cams} cameras, ${rounds} rounds of ${seconds} s, CPU % of one core per round:`);
for (const [name, xs] of results)
  console.log(
    `${name.padEnd(28)} ${xs.map((x) => x.toFixed(1).padStart(5)).join(' ')}   ratio ${(sum(xs) / base).toFixed(2)}`,
  );
